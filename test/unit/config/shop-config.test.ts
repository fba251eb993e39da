import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig as load } from '../../../relay/src/config/load-config';
import { isShopSetting, shopConfig, shopDatabasePath, shopSchemaName } from '../../../relay/src/config/shop-config';
import type { ShopPlace, ShopRecord } from '../../../relay/src/ports/shop-registry';

const relayEnv = {
  PAYRELAY_PORT: '8787',
  PAYRELAY_DB: '/var/lib/payrelay/relay.db',
  PAYRELAY_LOG_LEVEL: 'warn',
  PAYRELAY_WORKER_CONCURRENCY: '6',
  PAYRELAY_ADMIN_TOKEN: 'admin_token_of_the_relay_0123456789',
  WC_URL: 'https://env-shop.example',
  WC_CONSUMER_KEY: 'ck_env_shop_0000000000000000000000000000',
  WC_CONSUMER_SECRET: 'cs_env_shop_0000000000000000000000000000',
  PAYRELAY_SHOP_SECRET: 'env_shop_secret_0123456789abcdef',
  STRIPE_SECRET_KEY: 'sk_test_env_shop_key',
  STRIPE_WEBHOOK_SECRET: 'whsec_env_shop',
  PAYRELAY_SANDBOX: '0',
};

const alpha: ShopRecord = {
  id: 'alpha',
  wcUrl: 'https://alpha.example',
  shopSecret: 'alpha_shop_secret_0123456789abcdef',
  settings: { WC_CONSUMER_KEY: 'ck_alpha_000000000000000000000000000000', WC_CONSUMER_SECRET: 'cs_alpha_000000000000000000000000000000', MOLLIE_API_KEY: 'test_alpha_mollie_key_000000000000' },
  createdAt: 0,
};

const alphaFile: ShopPlace = { kind: 'file', path: shopDatabasePath(relayEnv.PAYRELAY_DB, 'alpha') };

describe("a registered shop's configuration", () => {
  const relay = load(relayEnv);

  test("is its own shop, secret, providers and database, never the environment shop's", () => {
    const config = shopConfig(relayEnv, relay, alpha, 'https://pay.example', alphaFile);
    expect(config.shop).toMatchObject({ url: 'https://alpha.example', consumerKey: alpha.settings.WC_CONSUMER_KEY });
    expect(config.shopSecret).toBe(alpha.shopSecret);
    // The environment shop's Stripe account is not alpha's: alpha configured Mollie only.
    expect(config.stripe).toBeNull();
    expect(config.mollie?.apiKey).toBe(alpha.settings.MOLLIE_API_KEY);
    expect(config.databasePath).toBe('/var/lib/payrelay/shops/alpha.db');
    expect(config.publicUrl).toBe('https://pay.example/shops/alpha');
    // A sandbox is not switched on for a shop because the environment shop has one, nor left on by default.
    expect(config.sandbox.enabled).toBe(false);
  });

  test("keeps the relay's own settings (logging, worker, tokens)", () => {
    const config = shopConfig(relayEnv, relay, alpha, 'https://pay.example', alphaFile);
    expect(config.logLevel).toBe('warn');
    expect(config.worker.concurrency).toBe(6);
    expect(config.adminToken).toBe(relayEnv.PAYRELAY_ADMIN_TOKEN);
  });

  test("takes nothing of the environment shop from a PAYRELAY_CONFIG_FILE either", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-shop-config-'));
    const file = path.join(dir, 'relay.env');
    fs.writeFileSync(file, 'STRIPE_SECRET_KEY=sk_test_from_the_file\nPAYRELAY_WORKER_POLL_MS=40\n');
    const env = { ...relayEnv, STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '', PAYRELAY_CONFIG_FILE: file };
    const config = shopConfig(env, load(env), alpha, 'https://pay.example', alphaFile);
    expect(config.stripe).toBeNull();
    expect(config.worker.pollMs).toBe(40);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    ['WC_URL', true],
    ['WC_TIMEOUT_MS', true],
    ['STRIPE_SECRET_KEY', true],
    ['COINBASE_COMMERCE_API_KEY', true],
    ['SANDBOX_WEBHOOK_SECRET', true],
    ['PAYRELAY_SHOP_SECRET', true],
    ['PAYRELAY_MODE', true],
    ['PAYRELAY_ROUTES', true],
    ['PAYRELAY_SANDBOX', true],
    ['PAYRELAY_PORT', false],
    ['PAYRELAY_DB', false],
    ['PAYRELAY_DATABASE_URL', false],
    ['PAYRELAY_ADMIN_TOKEN', false],
    ['PAYRELAY_WORKER_CONCURRENCY', false],
  ])('%s is a shop setting: %s', (name, expected) => {
    expect(isShopSetting(name)).toBe(expected);
  });

  test('its database sits in shops/ next to the main one', () => {
    expect(shopDatabasePath('data/relay.db', 'beta')).toBe(path.resolve('data/shops/beta.db'));
  });

  describe('on PostgreSQL (a fleet)', () => {
    const fleetEnv = { ...relayEnv, PAYRELAY_DATABASE_URL: 'postgres://payrelay:secret@db.internal:5432/payrelay' };
    const fleet = load(fleetEnv);

    test("works in its own schema of the fleet's database, named after the main schema and the shop", () => {
      const config = shopConfig(fleetEnv, fleet, alpha, 'https://pay.example', { kind: 'schema', schema: shopSchemaName('public', 'alpha') });
      expect(config.databaseUrl).toBe(fleetEnv.PAYRELAY_DATABASE_URL);
      expect(config.databaseSchema).toBe('public_shop_alpha');
      expect(fleet.databaseSchema).toBeNull();
      expect(config.shopSecret).toBe(alpha.shopSecret);
      expect(shopSchemaName('payrelay', 'big-shop-2')).toBe('payrelay_shop_big_shop_2');
    });

    test('an id too long for a PostgreSQL name is refused (it would be cut short, maybe onto another shop)', () => {
      const id = `a${'b'.repeat(51)}`; // public_shop_ + 52 = 64 bytes
      const place: ShopPlace = { kind: 'schema', schema: shopSchemaName('public', id) };
      expect(() => shopConfig(fleetEnv, fleet, { ...alpha, id }, 'https://pay.example', place)).toThrow(ConfigError);
      expect(() => shopConfig(fleetEnv, fleet, { ...alpha, id }, 'https://pay.example', place)).toThrow(/too long for its PostgreSQL schema/);
    });
  });
});
