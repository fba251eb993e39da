import { sameSecret } from '../../domain/same-secret';
import type { ShopRecord } from '../../ports/shop-registry';

/** A shops row as both stores read it (settings are a JSON object of the shop's own settings). */
export interface ShopRow {
  id: string;
  wc_url: string;
  shop_secret: string;
  settings: string;
  created_at: number;
}

export function toShopRecord(row: ShopRow): ShopRecord {
  return { id: row.id, wcUrl: row.wc_url, shopSecret: row.shop_secret, settings: JSON.parse(row.settings) as Record<string, string>, createdAt: row.created_at };
}

/**
 * Why a new shop cannot join these rows (read inside the adding transaction), or null: its id is taken, or its
 * shop secret is another shop's (the secret is what tells shops apart on the API; compared in constant time).
 */
export function shopConflict(rows: ReadonlyArray<Pick<ShopRow, 'id' | 'shop_secret'>>, shop: Pick<ShopRecord, 'id' | 'shopSecret'>): 'id_taken' | 'secret_taken' | null {
  if (rows.some((row) => row.id === shop.id)) return 'id_taken';
  if (rows.some((row) => sameSecret(row.shop_secret, shop.shopSecret))) return 'secret_taken';
  return null;
}
