import { ConfigError, loadConfig } from './config/load-config';
import { startRelay } from './relay';
import { RouteRulesError } from './app/route-rules';

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
  const relay = await startRelay(config);
  const lines = [
    `Payrelay listening on ${relay.url} (${config.mode} mode, database ${config.databasePath})`,
    `  providers: ${[...relay.providers.keys()].join(', ') || 'none'}`,
    `  webhooks:  ${relay.url}/webhooks/<provider>`,
  ];
  if (relay.demoShopUrl) {
    lines.push(
      `  demo shop: ${relay.demoShopUrl}  (no WC_URL set: place an order there and pay it in the sandbox)`,
      'Next: set WC_URL, WC_CONSUMER_KEY, WC_CONSUMER_SECRET and PAYRELAY_SHOP_SECRET to connect your shop,',
      '      and STRIPE_SECRET_KEY + STRIPE_WEBHOOK_SECRET (or MOLLIE_API_KEY) for real providers. See README.md.',
    );
  } else if (relay.providers.size === 0) {
    lines.push('Next: configure a provider (STRIPE_SECRET_KEY + STRIPE_WEBHOOK_SECRET, or MOLLIE_API_KEY). See README.md.');
  }
  console.log(lines.join('\n'));

  const stop = (signal: string) => {
    console.log(`${signal}: finishing the shop write in hand, then stopping`);
    relay.close().then(
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

main().catch((error) => {
  if (error instanceof RouteRulesError) console.error(error.message);
  else console.error('Payrelay failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
