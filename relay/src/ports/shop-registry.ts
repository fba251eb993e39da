/**
 * A shop this relay serves besides the one its environment configures (issue 10, many shops). `settings` are
 * the shop's own settings under the environment variable names the single-shop relay reads (WC_URL,
 * WC_CONSUMER_KEY, STRIPE_SECRET_KEY, PAYRELAY_MODE, PAYRELAY_ROUTES…), so one schema validates both.
 */
export interface ShopRecord {
  id: string;
  wcUrl: string;
  shopSecret: string;
  settings: Readonly<Record<string, string>>;
  createdAt: number;
}

/** What may be shown of a shop: never its secret or keys. */
export interface ShopSummary {
  id: string;
  wcUrl: string;
  /** Which settings are set, by name only. */
  settingNames: string[];
  createdAt: number;
}

/**
 * Where a registered shop's own data lives, beside the relay's main database: its own SQLite file
 * (data/shops/<id>.db), or its own schema in the fleet's PostgreSQL database. Nothing else is shared, so no query
 * of one shop can reach another's rows.
 */
export type ShopPlace = { kind: 'file'; path: string } | { kind: 'schema'; schema: string };

export type ShopAddOutcome = 'added' | 'id_taken' | 'secret_taken';

/** The shops registry, in the relay's main database (every relay on that database reads the same one). */
export interface ShopRegistry {
  /** Where this shop's data lives (or will, once it is first served). */
  placeOf(shopId: string): ShopPlace;
  list(): ShopRecord[];
  get(id: string): ShopRecord | null;
  /**
   * Adds the shop unless its id, or its shop secret, is another registered shop's (then nothing changes). Checked
   * and inserted atomically: two relays (or shops:add runs) adding two shops with one secret at once add one.
   */
  add(shop: ShopRecord): ShopAddOutcome;
  /** False when there was no such shop. */
  remove(id: string): boolean;
}
