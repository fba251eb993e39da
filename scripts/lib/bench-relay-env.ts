/** The sandbox webhook secret the benchmark relays verify and the load generators sign with. */
export const BENCH_SANDBOX_SECRET = 'sandbox_bench_secret_0123456789';

/** The environment of a relay process a benchmark runs against a shop stand-in (bench:drain, bench:scale). */
export function benchRelayEnv(port: number, dbFile: string, shop: { url: string; consumerKey: string; consumerSecret: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PAYRELAY_PORT: String(port), PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: dbFile, WC_URL: shop.url, WC_CONSUMER_KEY: shop.consumerKey,
    WC_CONSUMER_SECRET: shop.consumerSecret, PAYRELAY_SHOP_SECRET: 'bench_shop_secret_0123456789abcdef', PAYRELAY_SANDBOX: '1',
    SANDBOX_WEBHOOK_SECRET: BENCH_SANDBOX_SECRET, PAYRELAY_LOG_LEVEL: 'error', ...extra,
  };
}
