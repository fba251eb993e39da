import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { ConfigError, DEFAULT_SANDBOX_SECRET, loadConfig, unknownSettingWarnings } from '../../relay/src/config/load-config';
import { knownVariables, unknownVariableWarnings } from '../../relay/src/config/unknown-variables';
import { loadRouteRules } from '../../relay/src/app/route-rules';
import { startWooCommerceStandIn } from '../helpers/woocommerce-stand-in';
import { freePort, startRelayProcess } from '../helpers/relay-process';


/** A real shop, complete and valid. */
const SHOP = { WC_URL: 'https://shop.example', WC_CONSUMER_KEY: 'ck_1', WC_CONSUMER_SECRET: 'cs_1', PAYRELAY_SHOP_SECRET: 's'.repeat(24) };

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-config-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it('with nothing set: sandbox mode on port 8787 with ./data/payrelay.db and the demo shop', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8787,
      host: '0.0.0.0',
      databasePath: './data/payrelay.db',
      publicUrl: 'http://localhost:8787',
      mode: 'test',
      logLevel: 'info',
      shop: null,
      shopSecret: null,
      stripe: null,
      mollie: null,
      sandbox: { enabled: true, webhookSecret: DEFAULT_SANDBOX_SECRET },
      routesFile: null,
      sessionTtlMinutes: 60,
      retentionDays: 45,
    });
  });

  it('the sandbox next to a real shop starts with a secret of its own, and the tolerance takes 60 and 3600', () => {
    expect(loadConfig({ ...SHOP, PAYRELAY_SANDBOX: '1', SANDBOX_WEBHOOK_SECRET: 'my_own_sandbox_secret_123' }).sandbox).toEqual({ enabled: true, webhookSecret: 'my_own_sandbox_secret_123' });
    expect(loadConfig({ ...SHOP }).sandbox.enabled).toBe(false);
    for (const seconds of ['60', '3600']) {
      expect(loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_1', STRIPE_TOLERANCE_SECONDS: seconds }).stripe?.toleranceSeconds).toBe(Number(seconds));
    }
  });

  it.each<[string, Record<string, string>, 'test' | 'live']>([
    ['no keys at all (the sandbox) → test', {}, 'test'],
    ['a Stripe test key → test', { STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }, 'test'],
    ['a Stripe live key → live', { ...SHOP, STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }, 'live'],
    ['a restricted Stripe live key → live', { ...SHOP, STRIPE_SECRET_KEY: 'rk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }, 'live'],
    ['a Mollie live key → live', { ...SHOP, MOLLIE_API_KEY: 'live_abc' }, 'live'],
    ['Stripe and Mollie live keys → live', { ...SHOP, STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', MOLLIE_API_KEY: 'live_abc' }, 'live'],
    ['live keys and PAYRELAY_MODE=live → live', { ...SHOP, PAYRELAY_MODE: 'live', MOLLIE_API_KEY: 'live_abc' }, 'live'],
    ['test keys and PAYRELAY_MODE=test → test', { PAYRELAY_MODE: 'test', MOLLIE_API_KEY: 'test_abc' }, 'test'],
  ])('the mode comes from the keys: %s', (_name, env, mode) => {
    expect(loadConfig(env).mode).toBe(mode);
  });

  it('empty strings count as unset (an `export WC_URL=` in a shell profile)', () => {
    expect(loadConfig({ WC_URL: '', PAYRELAY_PORT: '' })).toMatchObject({ port: 8787, shop: null });
  });

  it('a bad configuration: one ConfigError listing every problem, schema and cross-field alike', () => {
    const problems = problemsOf({
      WC_URL: 'shop.example',
      WC_CONSUMER_KEY: 'key_123',
      WC_CONSUMER_SECRET: 'cs_123',
      STRIPE_WEBHOOK_SECRET: 'secret_123',
      PAYRELAY_MODE: 'live',
      PAYRELAY_SANDBOX: '1',
    });
    const expected = [
      /^"WC_URL" must be a valid uri.*\(your shop, e\.g\. https:\/\/shop\.example\)$/,
      /^"WC_CONSUMER_KEY" must start with ck_/,
      /^"STRIPE_WEBHOOK_SECRET" must look like whsec_/,
      /^"WC_URL" needs "PAYRELAY_SHOP_SECRET" as well \(shared secret also set in the WordPress plugin/,
      /^"PAYRELAY_SANDBOX" cannot be on when "PAYRELAY_MODE" is live/,
    ];
    expect(problems).toHaveLength(expected.length);
    for (const pattern of expected) expect(problems).toContainEqual(expect.stringMatching(pattern));
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['WC_URL without PAYRELAY_SHOP_SECRET', { WC_URL: 'https://shop.example', WC_CONSUMER_KEY: 'ck_1', WC_CONSUMER_SECRET: 'cs_1' }, /"WC_URL" needs "PAYRELAY_SHOP_SECRET" as well/],
    ['WC_URL without its keys', { WC_URL: 'https://shop.example', PAYRELAY_SHOP_SECRET: 's'.repeat(24) }, /WC_URL, WC_CONSUMER_KEY and WC_CONSUMER_SECRET go together: set all three/],
    ['a shop secret too short to be a secret (and how to make one)', { PAYRELAY_SHOP_SECRET: 'short' }, /^"PAYRELAY_SHOP_SECRET" must be at least 24 characters; make one with: openssl rand -hex 24/],
    ['a metrics token too short', { PAYRELAY_METRICS_TOKEN: 'abc' }, /^"PAYRELAY_METRICS_TOKEN" must be at least 16 characters; make one with: openssl rand -hex 24/],
    ['live mode without a shop', { PAYRELAY_MODE: 'live', PAYRELAY_SANDBOX: '0' }, /^"WC_URL" is required in live mode \("PAYRELAY_MODE" is live;/],
    ['a test Stripe key in live mode', { PAYRELAY_MODE: 'live', PAYRELAY_SANDBOX: '0', ...SHOP, STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }, /^"PAYRELAY_MODE" is live but the provider keys are test \(STRIPE_SECRET_KEY\): every payment would be a test payment/],
    ['live keys under test mode refuse to start', { PAYRELAY_MODE: 'test', ...SHOP, STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }, /^"PAYRELAY_MODE" is test but the provider keys are live \(STRIPE_SECRET_KEY\): payments would be real while their webhooks are ignored.*Leave PAYRELAY_MODE unset \(the keys decide\) or set it to live$/],
    ['a live Mollie key under test mode', { PAYRELAY_MODE: 'test', ...SHOP, MOLLIE_API_KEY: 'live_abc' }, /^"PAYRELAY_MODE" is test but the provider keys are live \(MOLLIE_API_KEY\)/],
    ['mixed live and test keys refuse to start, with one message', { ...SHOP, STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', MOLLIE_API_KEY: 'test_abc' }, /^live and test keys are mixed: STRIPE_SECRET_KEY is a live key but MOLLIE_API_KEY is a test key\. Use only live keys \(real payments\) or only test keys/],
    ['mixed keys the other way round (a restricted live key)', { ...SHOP, STRIPE_SECRET_KEY: 'rk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', MOLLIE_API_KEY: 'live_abc' }, /^live and test keys are mixed: MOLLIE_API_KEY is a live key but STRIPE_SECRET_KEY is a test key/],
    ['live keys without a shop', { STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }, /^"WC_URL" is required in live mode \(the provider keys are live keys;/],
    ['an Adyen live account next to a Stripe test key', { ...SHOP, STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', ADYEN_API_KEY: 'AQE_key_1234', ADYEN_MERCHANT_ACCOUNT: 'Shop_ECOM', ADYEN_HMAC_KEY: 'AB'.repeat(32), ADYEN_LIVE_URL_PREFIX: '1797a841fbb37ca7-AdyenDemo' }, /^live and test keys are mixed: ADYEN_LIVE_URL_PREFIX is a live key but STRIPE_SECRET_KEY is a test key/],
    ['live keys with the sandbox asked for', { ...SHOP, STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', PAYRELAY_SANDBOX: '1' }, /^"PAYRELAY_SANDBOX" cannot be on when the provider keys are live keys/],
    ['a port that is not a port', { PAYRELAY_PORT: '80800' }, /"PAYRELAY_PORT" must be less than or equal to 65535 \(port the relay listens on\)/],
    ['dedupe keys kept shorter than providers retry', { PAYRELAY_RETENTION_DAYS: '7' }, /"PAYRELAY_RETENTION_DAYS" must be greater than or equal to 45 .*Adyen/],
    ['STRIPE_TOLERANCE_SECONDS=0, which switched off replay protection', { STRIPE_TOLERANCE_SECONDS: '0' }, /^"STRIPE_TOLERANCE_SECONDS" must be between 60 and 3600: .*replay protection/],
    ['STRIPE_TOLERANCE_SECONDS of a day', { STRIPE_TOLERANCE_SECONDS: '86400' }, /^"STRIPE_TOLERANCE_SECONDS" must be between 60 and 3600: .*replayed/],
    ['the sandbox with a real shop and the public demo secret', { ...SHOP, PAYRELAY_SANDBOX: '1' }, /"SANDBOX_WEBHOOK_SECRET" is the public demo secret: anyone could mark your orders paid/],
    ['the sandbox with a real shop and the demo secret given by hand', { ...SHOP, PAYRELAY_SANDBOX: '1', SANDBOX_WEBHOOK_SECRET: DEFAULT_SANDBOX_SECRET }, /"SANDBOX_WEBHOOK_SECRET" is the public demo secret/],
    ['a routes file that does not exist', { PAYRELAY_ROUTES: '/nowhere/routes.json' }, /"PAYRELAY_ROUTES" names \/nowhere\/routes\.json, which does not exist \(give the path of a JSON file, or the rules inline/],
    ['a config file that does not exist', { PAYRELAY_CONFIG_FILE: '/nowhere/payrelay.env' }, /^"PAYRELAY_CONFIG_FILE" names \/nowhere\/payrelay\.env, which does not exist$/],
  ])('%s is a ConfigError that says so', (_name, env, message) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(message)]);
  });

  it('the ConfigError message lists the problems for a person and points at the README', () => {
    try {
      loadConfig({ PAYRELAY_LOG_LEVEL: 'loud', PAYRELAY_PORT: 'x' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as Error).message).toMatch(/^Payrelay cannot start, the configuration has 2 problem\(s\):\n {2}- .*\n {2}- .*\nSee README\.md, "Configuration"\.$/);
    }
  });

  it('reads a JSON PAYRELAY_CONFIG_FILE, and the environment wins', () => {
    const file = path.join(dir, 'payrelay.json');
    fs.writeFileSync(file, JSON.stringify({ PAYRELAY_PORT: 9100, PAYRELAY_LOG_LEVEL: 'debug', PAYRELAY_SESSION_TTL_MINUTES: '90', PAYRELAY_DB: '/from/file.db' }));
    const config = loadConfig({ PAYRELAY_CONFIG_FILE: file, PAYRELAY_DB: '/from/env.db' });
    expect(config).toMatchObject({ port: 9100, logLevel: 'debug', sessionTtlMinutes: 90, databasePath: '/from/env.db' });
  });

  it('reads a KEY=value PAYRELAY_CONFIG_FILE (comments, quotes, blank lines), and the environment wins', () => {
    const file = path.join(dir, 'payrelay.env');
    fs.writeFileSync(
      file,
      [
        '# Payrelay',
        'PAYRELAY_PORT=9200',
        '',
        'WC_URL="https://shop.example/"',
        "WC_CONSUMER_KEY='ck_from_file'",
        'WC_CONSUMER_SECRET = cs_from_file',
        'PAYRELAY_SHOP_SECRET=shop_secret_from_the_file_0123456',
        '# PAYRELAY_MODE=live',
      ].join('\n'),
    );
    const config = loadConfig({ PAYRELAY_CONFIG_FILE: file, WC_CONSUMER_SECRET: 'cs_from_env' });
    expect(config).toMatchObject({
      port: 9200,
      mode: 'test',
      shop: { url: 'https://shop.example', consumerKey: 'ck_from_file', consumerSecret: 'cs_from_env' },
      shopSecret: 'shop_secret_from_the_file_0123456',
      // A shop is configured, so the sandbox is off unless asked for.
      sandbox: { enabled: false },
    });
  });

  it('a problem in the file is reported like one in the environment', () => {
    const file = path.join(dir, 'payrelay.env');
    fs.writeFileSync(file, 'STRIPE_WEBHOOK_SECRET=not_a_whsec\n');
    expect(problemsOf({ PAYRELAY_CONFIG_FILE: file })).toEqual([expect.stringMatching(/^"STRIPE_WEBHOOK_SECRET" must look like whsec_/)]);
  });

  it('Adyen: key, merchant account and HMAC key go together; rotation keys split; live needs the URL prefix', () => {
    const key = 'AB'.repeat(32);
    expect(loadConfig({ ADYEN_API_KEY: 'AQE_key_1234', ADYEN_MERCHANT_ACCOUNT: 'Shop_ECOM', ADYEN_HMAC_KEY: `${key},${'CD'.repeat(32)}` }).adyen).toEqual({
      apiKey: 'AQE_key_1234', merchantAccount: 'Shop_ECOM', hmacKeys: [key, 'CD'.repeat(32)], apiBase: 'https://checkout-test.adyen.com', live: false,
    });
    expect(problemsOf({ ADYEN_API_KEY: 'AQE_key_1234' })).toEqual(['"ADYEN_API_KEY" needs "ADYEN_MERCHANT_ACCOUNT" as well', expect.stringMatching(/^"ADYEN_API_KEY" needs "ADYEN_HMAC_KEY" as well/)]);
    expect(problemsOf({ ADYEN_API_KEY: 'AQE_key_1234', ADYEN_MERCHANT_ACCOUNT: 'Shop_ECOM' })).toEqual(['"ADYEN_API_KEY" needs "ADYEN_HMAC_KEY" as well (or "ADYEN_MANAGEMENT_API_KEY", so that npm run providers:connect creates the webhook and its HMAC key)']);
    expect(problemsOf({ ADYEN_API_KEY: 'AQE_key_1234', ADYEN_MERCHANT_ACCOUNT: 'Shop_ECOM', ADYEN_HMAC_KEY: 'not-hex' }).join('\n')).toContain('"ADYEN_HMAC_KEY" must be the hex HMAC key');
    // A Management API key instead: providers:connect generates the HMAC key; the management host follows the mode.
    expect(loadConfig({ ADYEN_API_KEY: 'AQE_key_1234', ADYEN_MERCHANT_ACCOUNT: 'Shop_ECOM', ADYEN_MANAGEMENT_API_KEY: 'AQE_mgmt_1234' }).adyen).toMatchObject({ hmacKeys: [], management: { apiKey: 'AQE_mgmt_1234', apiBase: 'https://management-test.adyen.com' } });
    expect(problemsOf({ ADYEN_MANAGEMENT_API_KEY: 'AQE_mgmt_1234' })).toEqual(['"ADYEN_MANAGEMENT_API_KEY" needs "ADYEN_API_KEY" as well']);
    const live = { PAYRELAY_MODE: 'live', WC_URL: 'https://shop.example', WC_CONSUMER_KEY: 'ck_1', WC_CONSUMER_SECRET: 'cs_1', PAYRELAY_SHOP_SECRET: 'x'.repeat(24), ADYEN_API_KEY: 'AQE_key_1234', ADYEN_MERCHANT_ACCOUNT: 'Shop_ECOM', ADYEN_HMAC_KEY: key };
    expect(problemsOf(live)).toEqual([expect.stringContaining('"ADYEN_LIVE_URL_PREFIX" is required')]);
    expect(loadConfig({ ...live, ADYEN_LIVE_URL_PREFIX: '1797a841fbb37ca7-AdyenDemo' }).adyen).toMatchObject({ apiBase: 'https://1797a841fbb37ca7-AdyenDemo-checkout-live.adyenpayments.com/checkout', live: true });
  });

  it('a config file that is not JSON, or not KEY=value, is a ConfigError naming the file and what is wrong', () => {
    const json = path.join(dir, 'payrelay.json');
    fs.writeFileSync(json, '{"PAYRELAY_PORT": 9100,}');
    expect(problemsOf({ PAYRELAY_CONFIG_FILE: json })).toEqual([expect.stringMatching(new RegExp(`^the config file ${json.replace(/[.]/g, '\\.')} \\(PAYRELAY_CONFIG_FILE\\) is not valid JSON: `))]);
    fs.writeFileSync(json, '["PAYRELAY_PORT"]');
    expect(problemsOf({ PAYRELAY_CONFIG_FILE: json })).toEqual([expect.stringContaining(`${json} (PAYRELAY_CONFIG_FILE) must hold one JSON object`)]);
    const env = path.join(dir, 'payrelay.env');
    fs.writeFileSync(env, '# ok\nPAYRELAY_PORT=9100\nexport PAYRELAY_LOG_LEVEL=debug\n{"PAYRELAY_MODE": "live"}\nWC_URL https://shop.example\n');
    expect(problemsOf({ PAYRELAY_CONFIG_FILE: env })).toEqual([`the config file ${env} (PAYRELAY_CONFIG_FILE) has line(s) 4, 5 that are not KEY=value (or a .json file's name should end in .json)`]);
    expect(problemsOf({ PAYRELAY_CONFIG_FILE: dir })).toEqual([`"PAYRELAY_CONFIG_FILE" names ${dir}, which is a folder`]);
  });

  it('PAYRELAY_ROUTES takes the rules inline as JSON, or the path of a JSON file', () => {
    const rules = [{ name: 'everything to the sandbox', providers: ['sandbox'] }];
    const inline = loadConfig({ PAYRELAY_ROUTES: `  ${JSON.stringify(rules)}` });
    expect(loadRouteRules(inline.routesFile)).toEqual([{ ...rules[0], match: {} }]);
    const file = path.join(dir, 'routes.json');
    fs.writeFileSync(file, JSON.stringify(rules));
    expect(loadRouteRules(loadConfig({ PAYRELAY_ROUTES: file }).routesFile)).toEqual([{ ...rules[0], match: {} }]);
    // Bad inline rules are reported as such, not as a file that does not exist.
    expect(() => loadRouteRules('[{"name": "x"}]')).toThrow(/routing rules in PAYRELAY_ROUTES \(inline JSON\) have 1 problem/);
    expect(() => loadRouteRules('[not json')).toThrow(/PAYRELAY_ROUTES \(inline JSON\) have 1 problem\(s\):\n {2}- cannot read it as JSON/);
  });

  it('a variable with one of our prefixes that nothing reads: the nearest known name, also next to the problems it causes', () => {
    expect(unknownVariableWarnings(['PAYRELAY_PROT', 'WC_CONSUMER_KY', 'STRIPE_WEBHOOK_SECRETS', 'PAYRELAY_SHOP_SECERT', 'ADYEN_HMAC_KEYY', 'PAYRELAY_PORT', 'HOME', 'PAYRELAY_XYZZY_QUUX'], [...knownVariables(), 'ADYEN_HMAC_KEY'])).toEqual([
      'ADYEN_HMAC_KEYY is not a Payrelay setting and is ignored (did you mean ADYEN_HMAC_KEY?)',
      'PAYRELAY_PROT is not a Payrelay setting and is ignored (did you mean PAYRELAY_PORT?)',
      'PAYRELAY_SHOP_SECERT is not a Payrelay setting and is ignored (did you mean PAYRELAY_SHOP_SECRET?)',
      'PAYRELAY_XYZZY_QUUX is not a Payrelay setting and is ignored',
      'STRIPE_WEBHOOK_SECRETS is not a Payrelay setting and is ignored (did you mean STRIPE_WEBHOOK_SECRET?)',
      'WC_CONSUMER_KY is not a Payrelay setting and is ignored (did you mean WC_CONSUMER_KEY?)',
    ]);
    // The known names are the schema's keys: every documented setting, none of them warned about.
    expect(knownVariables()).toEqual(expect.arrayContaining(['PAYRELAY_PORT', 'WC_URL', 'STRIPE_SECRET_KEY', 'MOLLIE_API_KEY', 'PAYRELAY_METRICS_TOKEN', 'PAYRELAY_CONFIG_FILE']));
    expect(unknownVariableWarnings(knownVariables())).toEqual([]);
    // The misspelt secret is why WC_URL "needs" one: both are in the report.
    const problems = problemsOf({ WC_URL: 'https://shop.example', WC_CONSUMER_KEY: 'ck_1', WC_CONSUMER_SECRET: 'cs_1', PAYRELAY_SHOP_SECERT: 's'.repeat(24) });
    expect(problems).toEqual([
      expect.stringMatching(/^"WC_URL" needs "PAYRELAY_SHOP_SECRET" as well/),
      'PAYRELAY_SHOP_SECERT is not a Payrelay setting and is ignored (did you mean PAYRELAY_SHOP_SECRET?)',
    ]);
    // And from a config file, like from the environment.
    const file = path.join(dir, 'payrelay.env');
    fs.writeFileSync(file, 'PAYRELAY_LOG_LEVLE=debug\n');
    expect(unknownSettingWarnings({ PAYRELAY_CONFIG_FILE: file, MOLLIE_APIKEY: 'test_x' })).toEqual([
      'MOLLIE_APIKEY is not a Payrelay setting and is ignored (did you mean MOLLIE_API_KEY?)',
      'PAYRELAY_LOG_LEVLE is not a Payrelay setting and is ignored (did you mean PAYRELAY_LOG_LEVEL?)',
    ]);
  });

  it('Coinbase Commerce: key and webhook secret go together; rotation secrets split; events take the relay mode', () => {
    expect(loadConfig({ COINBASE_COMMERCE_API_KEY: 'cc_key_12345', COINBASE_COMMERCE_WEBHOOK_SECRET: 'secret-one-1,secret-two-2' }).coinbaseCommerce).toEqual({
      apiKey: 'cc_key_12345', webhookSecrets: ['secret-one-1', 'secret-two-2'], apiBase: 'https://api.commerce.coinbase.com', live: false,
    });
    expect(problemsOf({ COINBASE_COMMERCE_API_KEY: 'cc_key_12345' })).toEqual(['"COINBASE_COMMERCE_API_KEY" needs "COINBASE_COMMERCE_WEBHOOK_SECRET" as well']);
    expect(problemsOf({ COINBASE_COMMERCE_WEBHOOK_SECRET: 'secret-one-1' })).toEqual(['"COINBASE_COMMERCE_WEBHOOK_SECRET" needs "COINBASE_COMMERCE_API_KEY" as well']);
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_a,whsec_b' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.worker as { maxAttempts: number }).maxAttempts = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.sandbox as { enabled: boolean }).enabled = false;
    }).toThrow(TypeError);
    expect(() => (config.stripe!.webhookSecrets as string[]).push('whsec_c')).toThrow(TypeError);
    expect(config.stripe!.webhookSecrets).toEqual(['whsec_a', 'whsec_b']);
  });
});

/** `npm start` as a process: what a person sees on the terminal. */
describe('node --import tsx relay/src/main.ts', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-main-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Only what is given: no inherited WC_URL or STRIPE_* from the developer's shell can change the outcome. */
  const start = (env: Record<string, string>) => startRelayProcess(env);

  async function waitForOutput(out: { stdout: string }, text: string, exited: Promise<unknown>, timeoutMs = 20_000): Promise<void> {
    let done = false;
    void exited.then(() => (done = true));
    const deadline = Date.now() + timeoutMs;
    while (!out.stdout.includes(text)) {
      if (done) throw new Error(`the relay exited before printing "${text}"`);
      if (Date.now() > deadline) throw new Error(`no "${text}" on stdout within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('a bad configuration: exit code 1, every problem on stderr, nothing started', async () => {
    const db = path.join(dir, 'payrelay.db');
    const { out, exited } = start({
      PAYRELAY_PORT: String(await freePort()),
      PAYRELAY_DB: db,
      WC_URL: 'not-a-url',
      WC_CONSUMER_KEY: 'key_123',
      WC_CONSUMER_SECRET: 'cs_123',
      PAYRELAY_MODE: 'live',
    });
    expect(await exited).toBe(1);
    expect(out.stderr).toContain('Payrelay cannot start, the configuration has 3 problem(s):');
    expect(out.stderr).toContain('- "WC_URL" must be a valid uri');
    expect(out.stderr).toContain('- "WC_CONSUMER_KEY" must start with ck_');
    expect(out.stderr).toContain('- "WC_URL" needs "PAYRELAY_SHOP_SECRET" as well');
    expect(out.stderr).not.toMatch(/\n\s+at /); // a listing, not a stack trace
    expect(out.stdout).toBe('');
    expect(fs.existsSync(db)).toBe(false);
  });

  it('nothing configured: the banner names the demo shop and what to set next; SIGTERM stops it cleanly', async () => {
    const port = await freePort();
    const db = path.join(dir, 'payrelay.db');
    const { child, out, exited } = start({ PAYRELAY_PORT: String(port), PAYRELAY_DB: db });
    try {
      await waitForOutput(out, 'See README.md.', exited);
      expect(out.stdout).toContain(`Payrelay listening on http://localhost:${port} (test mode, database ${db})`);
      expect(out.stdout).toContain('providers: sandbox');
      expect(out.stdout).toContain(`demo shop: http://localhost:${port}/demo-shop/`);
      expect(out.stdout).toMatch(/Next: set WC_URL, WC_CONSUMER_KEY, WC_CONSUMER_SECRET and PAYRELAY_SHOP_SECRET/);
      expect(out.stdout).toMatch(/STRIPE_SECRET_KEY \+ STRIPE_WEBHOOK_SECRET \(or MOLLIE_API_KEY\)/);

      // It serves what the banner promises.
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toMatchObject({ ok: true, mode: 'test' });
      const shop = await fetch(`http://127.0.0.1:${port}/demo-shop/`);
      expect(await shop.text()).toContain('Demo shop — not a real store');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out.stdout).toContain('SIGTERM: finishing the shop write in hand, then stopping');
    expect(out.stderr).toBe('');
    expect(fs.existsSync(db)).toBe(true);
  });

  it('a port in use: one line that says so, exit code 1, no stack trace', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { out, exited } = start({ PAYRELAY_PORT: String(port), PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: path.join(dir, 'payrelay.db') });
      expect(await exited).toBe(1);
      expect(out.stderr).toBe(`Payrelay cannot start: port ${port} is already in use on 127.0.0.1 (another relay still running?). Stop it or set PAYRELAY_PORT to a free port.\n`);
      expect(out.stdout).toBe('');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('a config file that is missing or unparsable: exit code 1, the file named', async () => {
    const missing = path.join(dir, 'nope.env');
    const first = start({ PAYRELAY_CONFIG_FILE: missing, PAYRELAY_PORT: String(await freePort()) });
    expect(await first.exited).toBe(1);
    expect(first.out.stderr).toContain(`- "PAYRELAY_CONFIG_FILE" names ${missing}, which does not exist`);
    const broken = path.join(dir, 'payrelay.json');
    fs.writeFileSync(broken, '{ PAYRELAY_PORT: 1 }');
    const second = start({ PAYRELAY_CONFIG_FILE: broken, PAYRELAY_PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.out.stderr).toContain(`- the config file ${broken} (PAYRELAY_CONFIG_FILE) is not valid JSON`);
    for (const run of [first, second]) expect(run.out.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown variable: a warning with the nearest known name, and the relay starts', async () => {
    const port = await freePort();
    const { child, out, exited } = start({ PAYRELAY_PORT: String(port), PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: path.join(dir, 'payrelay.db'), PAYRELAY_LOG_LEVLE: 'debug', STRIPE_SECRET: 'x' });
    try {
      await waitForOutput(out, 'See README.md.', exited);
      expect(out.stderr).toContain('warning: PAYRELAY_LOG_LEVLE is not a Payrelay setting and is ignored (did you mean PAYRELAY_LOG_LEVEL?)\n');
      expect(out.stderr).toContain('warning: STRIPE_SECRET is not a Payrelay setting and is ignored');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('a shop that cannot be reached, or refuses the keys: a loud warning at start-up; with a shop and a provider, no "Next:"', async () => {
    const shop = await startWooCommerceStandIn();
    try {
      const base = { PAYRELAY_HOST: '127.0.0.1', PAYRELAY_SHOP_SECRET: 'config_test_shop_secret_0123456789', STRIPE_SECRET_KEY: 'sk_test_config', STRIPE_WEBHOOK_SECRET: 'whsec_config', STRIPE_API_BASE: 'http://127.0.0.1:9' };
      const refused = start({ ...base, PAYRELAY_PORT: String(await freePort()), PAYRELAY_DB: path.join(dir, 'a.db'), WC_URL: shop.url, WC_CONSUMER_KEY: 'ck_wrong', WC_CONSUMER_SECRET: 'cs_wrong' });
      const closedPort = await freePort();
      const unreachable = start({ ...base, PAYRELAY_PORT: String(await freePort()), PAYRELAY_DB: path.join(dir, 'b.db'), WC_URL: `http://127.0.0.1:${closedPort}`, WC_CONSUMER_KEY: 'ck_1', WC_CONSUMER_SECRET: 'cs_1' });
      const fine = start({ ...base, PAYRELAY_PORT: String(await freePort()), PAYRELAY_DB: path.join(dir, 'c.db'), WC_URL: shop.url, WC_CONSUMER_KEY: shop.consumerKey, WC_CONSUMER_SECRET: shop.consumerSecret });
      try {
        const waitForStderr = async (run: { out: { stderr: string } }, text: string) => {
          const deadline = Date.now() + 30_000;
          while (!run.out.stderr.includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          return run.out.stderr;
        };
        // Three relays starting at once on a busy machine: each is listening before its warning is waited for.
        await Promise.all([refused.listening, unreachable.listening, fine.listening]);
        expect(await waitForStderr(refused, 'WARNING')).toContain(`WARNING: the shop at ${shop.url} refused the relay's WooCommerce keys (`);
        expect(refused.out.stderr).toMatch(/check WC_CONSUMER_KEY and WC_CONSUMER_SECRET/);
        expect(await waitForStderr(unreachable, 'WARNING')).toContain(`WARNING: the shop at http://127.0.0.1:${closedPort} cannot be reached (`);
        await fine.listening;
        await new Promise((r) => setTimeout(r, 1000));
        expect(fine.out.stdout).toContain('providers: stripe');
        expect(fine.out.stdout).not.toContain('Next:');
        expect(fine.out.stderr).toBe('');
      } finally {
        for (const run of [refused, unreachable, fine]) run.child.kill('SIGTERM');
        await Promise.all([refused.exited, unreachable.exited, fine.exited]);
      }
    } finally {
      await shop.close();
    }
  }, 120_000);
});
