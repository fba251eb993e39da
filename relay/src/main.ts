import { ConfigError, loadConfig, unknownSettingWarnings } from './config/load-config';
import type { RelayConfig } from './config/config-schema';
import type { RelayHandle } from './relay';
import { startRelayWithShops } from './relay-shops';
import { redactDatabaseUrl } from './adapters/postgres/postgres-storage';
import { RouteRulesError } from './app/route-rules';
import { describeShopProblem } from './app/shop-health';
import { ListenError } from './http/listen';

/** `npm start`: load and check the configuration, start the relay, drain on SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  for (const warning of unknownSettingWarnings()) console.error(`warning: ${warning}`);
  const served = await startRelayWithShops(config, process.env);
  const relay = served.relay;
  console.log(banner(config, relay).join('\n'));
  for (const [id, shop] of served.shops) console.log(`  shop ${id}:  webhooks ${relay.url}/webhooks/${id}/<provider>, API with X-Payrelay-Shop: ${id} (providers: ${[...shop.providers.keys()].join(', ') || 'none'})`);
  for (const [id, why] of served.failed) console.error(`  shop ${id}: NOT STARTED (${why}); its requests are answered 503`);
  if (config.shop) void warnIfShopUnreachable(config.shop.url, relay);
  for (const [id, shop] of served.shops) void warnIfShopUnreachable(served.shopUrls.get(id) ?? id, shop, `shop ${id}: `, `${relay.url}/shops/${id}/readyz`);

  const stop = (signal: string) => {
    console.log(`${signal}: finishing the shop write in hand, then stopping`);
    served.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** What is served, then "Next:" with only what is still missing (nothing, once a shop and a provider are set). */
function banner(config: Readonly<RelayConfig>, relay: RelayHandle): string[] {
  const lines = [
    `Payrelay listening on ${relay.url} (${config.mode} mode, database ${config.databaseUrl ? redactDatabaseUrl(config.databaseUrl) : config.databasePath})`,
    `  providers: ${[...relay.providers.keys()].join(', ') || 'none'}`,
    `  webhooks:  ${relay.url}/webhooks/<provider>`,
  ];
  if (relay.demoShopUrl) lines.push(`  demo shop: ${relay.demoShopUrl}  (no WC_URL set: place an order there and pay it in the sandbox)`);
  const door = config.adminToken ? 'log in with PAYRELAY_ADMIN_TOKEN' : relay.demoShopUrl ? 'this machine only: no PAYRELAY_ADMIN_TOKEN' : 'off until PAYRELAY_ADMIN_TOKEN is set';
  lines.push(`  dashboard: ${relay.url}/admin/  (${door})`);
  const next: string[] = [];
  if (!config.shop) next.push('set WC_URL, WC_CONSUMER_KEY, WC_CONSUMER_SECRET and PAYRELAY_SHOP_SECRET to connect your shop');
  const real = [...relay.providers.keys()].filter((id) => id !== 'sandbox');
  if (real.length === 0) next.push('configure a real provider: STRIPE_SECRET_KEY + STRIPE_WEBHOOK_SECRET (or MOLLIE_API_KEY)');
  else if (config.stripe && !config.stripe.secretKey) next.push('set STRIPE_SECRET_KEY too: Stripe webhooks are verified, but no Stripe checkout can be created without it');
  if (next.length > 0) lines.push(`Next: ${next.join(',\n      and ')}. See README.md.`);
  return lines;
}

/** A shop that cannot be reached or refuses the keys is the commonest set-up mistake: say so at once, loudly. */
async function warnIfShopUnreachable(shopUrl: string, relay: RelayHandle, whose = '', readyz = '/readyz'): Promise<void> {
  const check = await relay.shopHealth.check();
  if (check.ok) return;
  console.error(
    [
      '',
      `WARNING: ${whose}${describeShopProblem(shopUrl, check)}.`,
      `         Webhooks are still stored; order updates wait in the outbox until the shop answers. ${readyz} says 503 meanwhile.`,
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  if (error instanceof RouteRulesError || error instanceof ListenError) console.error(error.message);
  else console.error('Payrelay failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
