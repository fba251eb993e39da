import Joi from 'joi';

/** The relay's configuration after validation: frozen and passed in, never read from process.env elsewhere. */
export interface RelayConfig {
  port: number;
  host: string;
  databasePath: string;
  /** PAYRELAY_DATABASE_URL: a PostgreSQL database several relays share (a fleet); null: the SQLite file. */
  databaseUrl: string | null;
  /**
   * The PostgreSQL schema of this relay's tables: null for the connection's own (the main schema); a registered
   * shop's relay works in its own (config/shop-config.ts). Not a setting: derived, never read from the environment.
   */
  databaseSchema: string | null;
  /** How long a write waits for SQLite's lock before giving up (the webhook then gets a 503 and is retried). */
  databaseBusyTimeoutMs: number;
  /** Store webhooks from a recorder thread (the default), keeping their transactions and fsyncs off the HTTP event loop. */
  ingestThread: boolean;
  /** Where providers and browsers reach this relay (webhook URLs, sandbox checkout pages). */
  publicUrl: string;
  /** Taken from the provider keys (PAYRELAY_MODE must agree): `test` accepts only test-mode events, `live` only live ones. */
  mode: 'test' | 'live';
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  maxBodyBytes: number;
  shop: { url: string; consumerKey: string; consumerSecret: string; timeoutMs: number } | null;
  /** The secret the WordPress plugin signs its requests with; null only in sandbox mode (demo shop). */
  shopSecret: string | null;
  stripe: { secretKey: string | null; webhookSecrets: string[]; apiBase: string; toleranceSeconds: number } | null;
  mollie: { apiKey: string; apiBase: string; /** Next-gen webhook signing secrets (rotation: several). */ webhookSecrets?: string[] } | null;
  /** Adyen Checkout: payment links; `hmacKeys` are hex, several during rotation. */
  adyen: {
    apiKey: string; merchantAccount: string; hmacKeys: string[]; apiBase: string; live: boolean;
    /** Management API (webhook registration by providers:connect): its own API credential, with the Webhooks role. */
    management?: { apiKey: string; apiBase: string } | null;
  } | null;
  /** PayPal Orders v2; `livemode` follows the API base (api-m.sandbox.paypal.com is test). */
  paypal: { clientId: string; clientSecret: string; webhookIds: string[]; apiBase: string; livemode: boolean; verification: 'local' | 'api' } | null;
  /** Coinbase Commerce (crypto). It has no test mode, so `live` is the relay's own mode. */
  coinbaseCommerce: { apiKey: string; webhookSecrets: string[]; apiBase: string; live: boolean } | null;
  sandbox: { enabled: boolean; webhookSecret: string };
  /** PAYRELAY_ROUTES: inline JSON rules or the path of a rules file (see app/route-rules.ts). */
  routesFile: string | null;
  /** Bearer token for /metrics; null: local requests only. */
  metricsToken: string | null;
  /** The dashboard login (/admin); null: a sandbox relay serves it to local requests only, any other relay refuses. */
  adminToken: string | null;
  /** /readyz fails when the oldest waiting outbox command is older than this. */
  readyMaxOutboxAgeMs: number;
  /** Longest a single provider API call may take before the relay falls back to the next provider. */
  providerTimeoutMs: number;
  sessionTtlMinutes: number;
  /** An expired checkout cancels the WooCommerce order (off: the order stays pending payment, still payable). */
  cancelOnExpiry: boolean;
  retentionDays: number;
  worker: { pollMs: number; maxAttempts: number; baseDelayMs: number; maxDelayMs: number; concurrency: number };
  reconcile: { intervalMs: number; pendingAfterMinutes: number };
}

/** A secret too short: say how to make a good one rather than only that this one is bad. */
const MAKE_A_SECRET = (name: string, min: number): string => `"${name}" must be at least ${min} characters; make one with: openssl rand -hex 24`;

const port = Joi.number().integer().min(0).max(65535);
const url = Joi.string().uri({ scheme: ['http', 'https'] });

/** Environment variables, with the message a person sees when one is wrong. */
export const envSchema = Joi.object({
  PAYRELAY_PORT: port.default(8787).description('port the relay listens on'),
  PAYRELAY_HOST: Joi.string().default('0.0.0.0'),
  PAYRELAY_DB: Joi.string().default('./data/payrelay.db'),
  PAYRELAY_DATABASE_URL: Joi.string().uri({ scheme: ['postgres', 'postgresql'] })
    .messages({ 'string.uriCustomScheme': '"PAYRELAY_DATABASE_URL" must be a PostgreSQL URL, e.g. postgres://payrelay:secret@db.internal:5432/payrelay' })
    .description('a PostgreSQL database shared by several relays; unset: the SQLite file PAYRELAY_DB'),
  PAYRELAY_DB_BUSY_TIMEOUT_MS: Joi.number().integer().min(10).max(60_000).default(5000),
  PAYRELAY_INGEST_THREAD: Joi.boolean().truthy('1').falsy('0').default(true),
  PAYRELAY_PUBLIC_URL: url.description('the URL providers and browsers use to reach this relay'),
  // No default: the provider keys decide (config/key-mode.ts); when set, it must agree with them.
  PAYRELAY_MODE: Joi.string().valid('test', 'live'),
  PAYRELAY_LOG_LEVEL: Joi.string().valid('error', 'warn', 'info', 'debug').default('info'),
  PAYRELAY_MAX_BODY_BYTES: Joi.number().integer().min(1024).max(10 * 1024 * 1024).default(256 * 1024),
  PAYRELAY_SHOP_SECRET: Joi.string().min(24).messages({ 'string.min': MAKE_A_SECRET('PAYRELAY_SHOP_SECRET', 24) })
    .description('shared secret also set in the WordPress plugin (at least 24 characters)'),
  PAYRELAY_ROUTES: Joi.string().description('routing rules: inline JSON (starting with [) or the path of a JSON file'),
  PAYRELAY_METRICS_TOKEN: Joi.string().min(16).messages({ 'string.min': MAKE_A_SECRET('PAYRELAY_METRICS_TOKEN', 16) })
    .description('bearer token a Prometheus scraper sends to /metrics; without it only local requests are served'),
  PAYRELAY_ADMIN_TOKEN: Joi.string().min(16).messages({ 'string.min': MAKE_A_SECRET('PAYRELAY_ADMIN_TOKEN', 16) })
    .description('the dashboard login (/admin/); without it a sandbox relay serves the dashboard to local requests only, and a relay with a shop refuses'),
  PAYRELAY_READY_MAX_OUTBOX_AGE_SECONDS: Joi.number().integer().min(1).default(900)
    .description('/readyz fails when the oldest waiting outbox command is older than this'),
  PAYRELAY_PROVIDER_TIMEOUT_MS: Joi.number().integer().min(100).max(60_000).default(10_000)
    .description('longest one provider API call may take before the relay falls back to the next provider'),
  PAYRELAY_SESSION_TTL_MINUTES: Joi.number().integer().min(30).max(24 * 60).default(60)
    .description('how long a checkout session stays payable (Stripe accepts 30 minutes to 24 hours)'),
  PAYRELAY_CANCEL_ON_EXPIRY: Joi.boolean().truthy('1').falsy('0').default(false)
    .description('1 cancels the order when its checkout expires; 0 (default) leaves it pending payment so the customer can still pay'),
  PAYRELAY_RETENTION_DAYS: Joi.number().integer().min(45).default(45)
    .description('days to keep webhook dedupe keys; Adyen retries for up to 30 days, so never less than 45'),
  PAYRELAY_WORKER_POLL_MS: Joi.number().integer().min(10).default(250),
  PAYRELAY_WORKER_MAX_ATTEMPTS: Joi.number().integer().min(1).max(100).default(12),
  PAYRELAY_WORKER_BASE_DELAY_MS: Joi.number().integer().min(1).default(1000),
  PAYRELAY_WORKER_MAX_DELAY_MS: Joi.number().integer().min(1).default(30 * 60 * 1000),
  PAYRELAY_WORKER_CONCURRENCY: Joi.number().integer().min(1).max(32).default(4),
  PAYRELAY_RECONCILE_INTERVAL_MS: Joi.number().integer().min(0).default(5 * 60 * 1000)
    .description('0 turns scheduled reconciliation off'),
  PAYRELAY_PENDING_AFTER_MINUTES: Joi.number().integer().min(1).default(15),
  WC_URL: url.description('your shop, e.g. https://shop.example'),
  WC_CONSUMER_KEY: Joi.string().pattern(/^ck_/).message('"WC_CONSUMER_KEY" must start with ck_ (WooCommerce → Settings → Advanced → REST API)'),
  WC_CONSUMER_SECRET: Joi.string().pattern(/^cs_/).message('"WC_CONSUMER_SECRET" must start with cs_ (WooCommerce → Settings → Advanced → REST API)'),
  WC_TIMEOUT_MS: Joi.number().integer().min(100).default(15000),
  STRIPE_SECRET_KEY: Joi.string().pattern(/^(sk|rk)_(test|live)_/).message('"STRIPE_SECRET_KEY" must look like sk_test_… or sk_live_…'),
  STRIPE_WEBHOOK_SECRET: Joi.string().pattern(/^whsec_\S+(,whsec_\S+)*$/).message('"STRIPE_WEBHOOK_SECRET" must look like whsec_… (several separated by commas during rotation)'),
  STRIPE_API_BASE: url.default('https://api.stripe.com'),
  // Bounded both ways: 0 used to switch the age check off (replays accepted forever), and a window of hours
  // keeps a captured delivery replayable for that long. Stripe's own default is 300.
  STRIPE_TOLERANCE_SECONDS: Joi.number().integer().min(60).max(3600).default(300)
    .messages({
      'number.min': '"STRIPE_TOLERANCE_SECONDS" must be between 60 and 3600: it is how old a signed Stripe webhook may be, and a smaller value would refuse Stripe\'s own retries or switch off replay protection',
      'number.max': '"STRIPE_TOLERANCE_SECONDS" must be between 60 and 3600: a longer window lets a captured Stripe webhook be replayed for that long',
    }),
  MOLLIE_API_KEY: Joi.string().pattern(/^(test|live)_/).message('"MOLLIE_API_KEY" must look like test_… or live_…'),
  MOLLIE_API_BASE: url.default('https://api.mollie.com'),
  MOLLIE_WEBHOOK_SECRET: Joi.string().description('signing secret(s) of Mollie next-gen webhooks, comma separated; classic webhooks need none'),
  ADYEN_API_KEY: Joi.string().min(8),
  ADYEN_MERCHANT_ACCOUNT: Joi.string().pattern(/^[A-Za-z0-9_.-]{1,80}$/).message('"ADYEN_MERCHANT_ACCOUNT" must be your Adyen merchant account code, e.g. ShopNL_ECOM'),
  ADYEN_HMAC_KEY: Joi.string().pattern(/^(?:[0-9A-Fa-f]{2}){16,}(,(?:[0-9A-Fa-f]{2}){16,})*$/)
    .message('"ADYEN_HMAC_KEY" must be the hex HMAC key of your Adyen webhook (several separated by commas during rotation)'),
  ADYEN_API_BASE: url.description('Adyen Checkout API base; default https://checkout-test.adyen.com, or the live URL built from ADYEN_LIVE_URL_PREFIX'),
  ADYEN_MANAGEMENT_API_KEY: Joi.string().min(8).description('Adyen Management API key (role "Management API—Webhooks read and write"): providers:connect registers the webhook and generates its HMAC key'),
  ADYEN_MANAGEMENT_API_BASE: url.description('Adyen Management API base; default https://management-test.adyen.com, or https://management-live.adyen.com in live mode'),
  ADYEN_LIVE_URL_PREFIX: Joi.string().pattern(/^[a-z0-9]+-[a-zA-Z0-9-]+$/).message('"ADYEN_LIVE_URL_PREFIX" must be the prefix from Customer Area → Developers → API URLs, e.g. 1797a841fbb37ca7-AdyenDemo'),
  PAYPAL_CLIENT_ID: Joi.string().description('PayPal REST app client id (developer.paypal.com → Apps & Credentials)'),
  PAYPAL_CLIENT_SECRET: Joi.string(),
  PAYPAL_WEBHOOK_ID: Joi.string().pattern(/^[A-Z0-9]+(,[A-Z0-9]+)*$/).message('"PAYPAL_WEBHOOK_ID" must be the id PayPal shows for the webhook (letters and digits; several separated by commas)'),
  PAYPAL_API_BASE: url.description('PayPal API base; https://api-m.sandbox.paypal.com in test mode, https://api-m.paypal.com in live mode'),
  PAYPAL_WEBHOOK_VERIFICATION: Joi.string().valid('local', 'api').default('local')
    .description('local: check the signature with PayPal\'s certificate; api: ask verify-webhook-signature (re-serializes the body)'),
  COINBASE_COMMERCE_API_KEY: Joi.string().min(8),
  COINBASE_COMMERCE_WEBHOOK_SECRET: Joi.string().pattern(/^[^,\s]{8,}(,[^,\s]{8,})*$/)
    .message('"COINBASE_COMMERCE_WEBHOOK_SECRET" must be the shared secret of your Coinbase Commerce webhook (several separated by commas during rotation)'),
  COINBASE_COMMERCE_API_BASE: url.default('https://api.commerce.coinbase.com'),
  PAYRELAY_SANDBOX: Joi.boolean().truthy('1').falsy('0'),
  SANDBOX_WEBHOOK_SECRET: Joi.string().min(16).messages({ 'string.min': MAKE_A_SECRET('SANDBOX_WEBHOOK_SECRET', 16) }),
})
  .and('WC_URL', 'WC_CONSUMER_KEY', 'WC_CONSUMER_SECRET')
  .with('WC_URL', 'PAYRELAY_SHOP_SECRET')
  // No .with('STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'): `npm run providers:connect` registers the endpoint
  // and stores its signing secret in the database, so a key alone is a valid start.
  // ADYEN_HMAC_KEY may be left to providers:connect when a Management API key is set (load-config.ts).
  .with('ADYEN_API_KEY', 'ADYEN_MERCHANT_ACCOUNT')
  .with('ADYEN_HMAC_KEY', 'ADYEN_API_KEY')
  .with('ADYEN_MANAGEMENT_API_KEY', 'ADYEN_API_KEY')
  .with('COINBASE_COMMERCE_API_KEY', 'COINBASE_COMMERCE_WEBHOOK_SECRET')
  .with('COINBASE_COMMERCE_WEBHOOK_SECRET', 'COINBASE_COMMERCE_API_KEY')
  .and('PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET')
  .messages({
    'object.and': 'WC_URL, WC_CONSUMER_KEY and WC_CONSUMER_SECRET go together: set all three (WooCommerce → Settings → Advanced → REST API)',
    'object.with': '"{{#main}}" needs "{{#peer}}" as well',
  })
  .unknown(true);
