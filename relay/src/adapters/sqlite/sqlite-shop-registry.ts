import type { Db } from './open-database';
import { shopDatabasePath } from '../../config/shop-config';
import type { ShopAddOutcome, ShopRecord, ShopRegistry } from '../../ports/shop-registry';
import { shopConflict, toShopRecord, type ShopRow } from '../store-rows/shop-rows';

/** The shops table (migration 11) of the relay's main SQLite file; each shop's own file lies beside it. */
export function createSqliteShopRegistry(db: Db): ShopRegistry {
  const all = db.prepare<[], ShopRow>('SELECT * FROM shops ORDER BY id');
  const one = db.prepare<[string], ShopRow>('SELECT * FROM shops WHERE id = ?');
  const secrets = db.prepare<[], Pick<ShopRow, 'id' | 'shop_secret'>>('SELECT id, shop_secret FROM shops');
  const insert = db.prepare('INSERT INTO shops (id, wc_url, shop_secret, settings, created_at) VALUES (?, ?, ?, ?, ?)');
  // IMMEDIATE: the write lock is taken before the check, so a second process's add waits and then sees this shop.
  const add = db.transaction((shop: ShopRecord): ShopAddOutcome => {
    const conflict = shopConflict(secrets.all(), shop);
    if (conflict) return conflict;
    insert.run(shop.id, shop.wcUrl, shop.shopSecret, JSON.stringify(shop.settings), shop.createdAt);
    return 'added';
  });
  const drop = db.prepare('DELETE FROM shops WHERE id = ?');
  return {
    placeOf: (id) => ({ kind: 'file', path: shopDatabasePath(db.name, id) }),
    list: () => all.all().map(toShopRecord),
    get: (id) => {
      const row = one.get(id);
      return row ? toShopRecord(row) : null;
    },
    add: (shop) => add.immediate(shop),
    remove: (id) => drop.run(id).changes === 1,
  };
}
