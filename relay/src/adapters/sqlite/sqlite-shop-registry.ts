import type { Db } from './open-database';
import type { ShopRecord, ShopRegistry } from '../../ports/shop-registry';

interface ShopRow {
  id: string;
  wc_url: string;
  shop_secret: string;
  settings: string;
  created_at: number;
}

/** The shops table (migration 11) of the relay's main SQLite file. */
export function createSqliteShopRegistry(db: Db): ShopRegistry {
  const toRecord = (row: ShopRow): ShopRecord => ({ id: row.id, wcUrl: row.wc_url, shopSecret: row.shop_secret, settings: JSON.parse(row.settings) as Record<string, string>, createdAt: row.created_at });
  const all = db.prepare<[], ShopRow>('SELECT * FROM shops ORDER BY id');
  const one = db.prepare<[string], ShopRow>('SELECT * FROM shops WHERE id = ?');
  const insert = db.prepare('INSERT INTO shops (id, wc_url, shop_secret, settings, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
  const drop = db.prepare('DELETE FROM shops WHERE id = ?');
  return {
    list: () => all.all().map(toRecord),
    get: (id) => {
      const row = one.get(id);
      return row ? toRecord(row) : null;
    },
    add: (shop) => insert.run(shop.id, shop.wcUrl, shop.shopSecret, JSON.stringify(shop.settings), shop.createdAt).changes === 1,
    remove: (id) => drop.run(id).changes === 1,
  };
}
