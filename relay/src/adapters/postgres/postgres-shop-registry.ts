import { shopSchemaName } from '../../config/shop-config';
import type { ShopRegistry } from '../../ports/shop-registry';
import { shopConflict, toShopRecord, type ShopRow } from '../store-rows/shop-rows';
import type { PgDb } from './pg-database';

/**
 * The shops table (PostgreSQL migration 3) of the fleet's main schema: every relay on the database reads the same
 * registry, so a shop added through any relay is served by all of them. Each shop's tables live in a schema of
 * its own beside the main one.
 */
export function createPostgresShopRegistry(db: PgDb): ShopRegistry {
  return {
    placeOf: (id) => ({ kind: 'schema', schema: shopSchemaName(db.schema, id) }),
    list: () => db.all<ShopRow>('SELECT * FROM shops ORDER BY id').map(toShopRecord),
    get: (id) => {
      const row = db.get<ShopRow>('SELECT * FROM shops WHERE id = $1', [id]);
      return row ? toShopRecord(row) : null;
    },
    add: (shop) =>
      db.transaction(() => {
        // One add at a time across the fleet and the tools: under READ COMMITTED two adds with one secret would
        // both read no such secret and both insert. The lock is the transaction's, released at its COMMIT.
        db.get("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':shops-registry'))");
        const conflict = shopConflict(db.all<ShopRow>('SELECT id, shop_secret FROM shops'), shop);
        if (conflict) return conflict;
        db.run('INSERT INTO shops (id, wc_url, shop_secret, settings, created_at) VALUES ($1, $2, $3, $4, $5)', [shop.id, shop.wcUrl, shop.shopSecret, JSON.stringify(shop.settings), shop.createdAt]);
        return 'added' as const;
      }),
    remove: (id) => db.run('DELETE FROM shops WHERE id = $1', [id]) === 1,
  };
}
