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
