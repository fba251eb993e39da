import path from 'node:path';
import { loadConfig, readSettings } from './load-config';
import type { RelayConfig } from './config-schema';
import type { ShopRecord } from '../ports/shop-registry';

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

/**
 * A registered shop's configuration: the relay's own settings without the environment shop's, plus the shop's
 * settings, checked by the same schema as a single-shop relay (a ConfigError lists every problem). Its public URL
 * is `<relay>/shops/<id>`, where its payment links and sandbox checkout are served.
 */
export function shopConfig(relayEnv: NodeJS.ProcessEnv, relay: Readonly<RelayConfig>, shop: ShopRecord, relayUrl: string): Readonly<RelayConfig> {
  const shared = Object.entries(readSettings(relayEnv)).filter(([name]) => !isShopSetting(name) && name !== 'PAYRELAY_CONFIG_FILE' && name !== 'PAYRELAY_DATABASE_URL');
  return loadConfig({
    ...Object.fromEntries(shared),
    ...shop.settings,
    WC_URL: shop.wcUrl,
    PAYRELAY_SHOP_SECRET: shop.shopSecret,
    PAYRELAY_DB: shopDatabasePath(relay.databasePath, shop.id),
    PAYRELAY_PUBLIC_URL: `${relayUrl}/shops/${shop.id}`,
  });
}
