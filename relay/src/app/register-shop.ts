import { sameSecret } from '../domain/same-secret';
import { ConfigError } from '../config/load-config';
import type { RelayConfig } from '../config/config-schema';
import { isShopSetting, shopConfig } from '../config/shop-config';
import { SHOP_ID } from '../domain/shop-routing';
import { assertNever } from '../domain/payment-status';
import { err, ok, type Result } from '../domain/result';
import type { ShopRecord, ShopRegistry, ShopSummary } from '../ports/shop-registry';

export interface NewShop {
  id: string;
  /** Under the single-shop variable names: WC_URL, WC_CONSUMER_KEY, WC_CONSUMER_SECRET, PAYRELAY_SHOP_SECRET, STRIPE_SECRET_KEY… */
  settings: Record<string, string>;
}

const SECRET_TAKEN = 'that shop secret is already another shop\'s: each shop needs its own (openssl rand -hex 32)';

/**
 * Checks a new shop the way its relay will be checked at start (same schema, every problem listed) and adds it.
 * A shop secret is what tells shops apart on the API, so it must be unlike the environment shop's and every
 * registered shop's.
 */
export function registerShop(
  registry: ShopRegistry,
  shop: NewShop,
  relay: { env: NodeJS.ProcessEnv; config: Readonly<RelayConfig> },
  now: number,
): Result<ShopSummary, string[]> {
  const problems: string[] = [];
  if (!SHOP_ID.test(shop.id)) problems.push(`the shop id "${shop.id}" must be lower-case letters, digits and dashes (up to 63), starting with a letter or digit`);
  const foreign = Object.keys(shop.settings).filter((name) => !isShopSetting(name));
  if (foreign.length > 0) problems.push(`${foreign.join(', ')} ${foreign.length === 1 ? 'is a setting' : 'are settings'} of the relay, not of one shop`);
  const { WC_URL: wcUrl, PAYRELAY_SHOP_SECRET: secret, ...rest } = shop.settings;
  if (!wcUrl) problems.push('a shop needs its WooCommerce address (--wc-url) and REST keys (--wc-key, --wc-secret)');
  if (!secret) problems.push('a shop needs its shop secret (--shop-secret), the one its plugin signs with');
  if (secret && (secret === relay.config.shopSecret || registry.list().some((other) => sameSecret(other.shopSecret, secret)))) {
    problems.push(SECRET_TAKEN);
  }
  if (registry.get(shop.id)) problems.push(`a shop "${shop.id}" is registered already (npm run shops:remove -- --id ${shop.id} first)`);
  const record: ShopRecord = { id: shop.id, wcUrl: (wcUrl ?? '').replace(/\/+$/, ''), shopSecret: secret ?? '', settings: rest, createdAt: now };
  if (problems.length === 0) {
    try {
      shopConfig(relay.env, relay.config, record, relay.config.publicUrl, registry.placeOf(record.id));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) return err(problems);
  // Checked again as it is added, atomically: another relay or shops:add may have added a shop since the look above.
  const added = registry.add(record);
  switch (added) {
    case 'added':
      return ok(summarise(record));
    case 'id_taken':
      return err([`a shop "${shop.id}" is registered already`]);
    case 'secret_taken':
      return err([SECRET_TAKEN]);
    default:
      return assertNever(added);
  }
}

export function summarise(shop: ShopRecord): ShopSummary {
  return { id: shop.id, wcUrl: shop.wcUrl, settingNames: Object.keys(shop.settings).sort(), createdAt: shop.createdAt };
}
