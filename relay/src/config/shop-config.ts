import path from 'node:path';
import { ConfigError, loadConfig, readSettings } from './load-config';
import type { RelayConfig } from './config-schema';
import type { ShopPlace, ShopRecord } from '../ports/shop-registry';

/**
 * The settings that belong to one shop (its WooCommerce, its provider accounts, its mode and routes); every other
 * setting (port, logging, worker tuning, tokens) is the relay's and every shop shares it.
 */
const SHOP_SETTING = /^(WC_|STRIPE_|MOLLIE_|PAYPAL_|ADYEN_|COINBASE_COMMERCE_|SANDBOX_)|^PAYRELAY_(SHOP_SECRET|MODE|ROUTES|SANDBOX)$/;

export function isShopSetting(name: string): boolean {
  return SHOP_SETTING.test(name);
}

/** Where a registered shop's own database lives: data/shops/<id>.db next to the relay's main one. */
export function shopDatabasePath(mainDatabasePath: string, shopId: string): string {
  return path.join(path.dirname(path.resolve(mainDatabasePath)), 'shops', `${shopId}.db`);
}

/** PostgreSQL truncates longer names silently, which could give two shops one schema. */
const MAX_SCHEMA_NAME_BYTES = 63;

/**
 * Where a registered shop's tables live on PostgreSQL: a schema beside the main one, named after both (two fleets
 * in separate schemas of one database keep their shops apart). Shop ids have no underscores, so the name is
 * unambiguous; dashes become underscores so that psql needs no quotes.
 */
export function shopSchemaName(mainSchema: string, shopId: string): string {
  return `${mainSchema}_shop_${shopId.replace(/-/g, '_')}`;
}

/** For messages: "database data/shops/alpha.db" or "schema public_shop_alpha". */
export function describeShopPlace(place: ShopPlace): string {
  return place.kind === 'file' ? `database ${place.path}` : `schema ${place.schema}`;
}

/**
 * A registered shop's configuration: the relay's own settings without the environment shop's, plus the shop's
 * settings, checked by the same schema as a single-shop relay (a ConfigError lists every problem). Its public URL
 * is `<relay>/shops/<id>`, where its payment links and sandbox checkout are served.
 */
export function shopConfig(relayEnv: NodeJS.ProcessEnv, relay: Readonly<RelayConfig>, shop: ShopRecord, relayUrl: string, place: ShopPlace): Readonly<RelayConfig> {
  const shared = Object.entries(readSettings(relayEnv)).filter(([name]) => !isShopSetting(name) && name !== 'PAYRELAY_CONFIG_FILE' && name !== 'PAYRELAY_DATABASE_URL');
  if (place.kind === 'schema' && Buffer.byteLength(place.schema) > MAX_SCHEMA_NAME_BYTES) {
    throw new ConfigError([`the shop id "${shop.id}" is too long for its PostgreSQL schema (${place.schema} is ${Buffer.byteLength(place.schema)} bytes, at most ${MAX_SCHEMA_NAME_BYTES}): choose a shorter id`]);
  }
  const config = loadConfig({
    ...Object.fromEntries(shared),
    ...shop.settings,
    WC_URL: shop.wcUrl,
    PAYRELAY_SHOP_SECRET: shop.shopSecret,
    ...(place.kind === 'file' ? { PAYRELAY_DB: place.path } : { PAYRELAY_DATABASE_URL: relay.databaseUrl ?? '' }),
    PAYRELAY_PUBLIC_URL: `${relayUrl}/shops/${shop.id}`,
  });
  return place.kind === 'file' ? config : Object.freeze({ ...config, databaseSchema: place.schema });
}
