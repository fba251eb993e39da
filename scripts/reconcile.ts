/**
 * `npm run reconcile`: one reconciliation pass now, against the configured database, providers and shop.
 * Repairs lost webhooks (asks providers about stale open sessions) and finds shop disagreements. It only queues
 * shop writes: the running relay's outbox worker applies them, so two processes never write to one order.
 */
import { createWinstonLogger } from '../relay/src/adapters/winston-logger';
import { openDatabase } from '../relay/src/adapters/sqlite/open-database';
import { createSqliteStores } from '../relay/src/adapters/sqlite/sqlite-stores';
import { createWooCommerceGateway } from '../relay/src/adapters/woocommerce/woocommerce-order-gateway';
import { expireDueSessions } from '../relay/src/app/expire-sessions';
import { reconcile } from '../relay/src/app/reconcile';
import { ConfigError, loadConfig } from '../relay/src/config/load-config';
import { systemClock } from '../relay/src/ports/clock';
import { err } from '../relay/src/domain/result';
import type { OrderGateway } from '../relay/src/ports/order-gateway';
import { buildProviders } from '../relay/src/providers/provider-registry';
import { SqliteSandboxLedger } from '../relay/src/providers/sandbox/sqlite-sandbox-ledger';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createWinstonLogger('warn');
  const db = openDatabase(config.databasePath);
  const stores = createSqliteStores(db);
  const providers = buildProviders(config, { clock: systemClock, sandboxLedger: new SqliteSandboxLedger(db), logger, mollieWebhookSecrets: config.mollie?.webhookSecrets ?? [] });
  const noShop: OrderGateway['getOrder'] = async () => err({ kind: 'permanent', code: 'no_shop', message: 'no WC_URL configured' });
  const gateway: OrderGateway = config.shop
    ? createWooCommerceGateway({ ...config.shop, logger, clock: systemClock })
    : ({ getOrder: noShop } as OrderGateway);
  const deps = { providers, stores, unitOfWork: stores.unitOfWork, clock: systemClock, livemode: config.mode === 'live', logger, gateway };

  const expiry = await expireDueSessions(deps, 500);
  const report = await reconcile(deps, { staleAfterMs: config.reconcile.pendingAfterMinutes * 60_000, compareWindowMs: 7 * 24 * 3600_000, limit: 500 });
  const counts = stores.outbox.counts();
  db.close();
  console.log(`expiry:    ${expiry.checked} overdue sessions checked, ${expiry.expired} expired, ${expiry.settledAtProvider} settled at the provider, ${expiry.deferred} deferred (provider unreachable)`);
  console.log(`providers: ${report.lookedUp} stale sessions looked up, ${report.repaired} repaired (lost webhooks), ${report.providerErrors} lookups failed`);
  console.log(`shop:      ${report.comparedWithShop} orders compared, ${report.raised} disagreements raised, ${report.shopErrors} lookups failed${config.shop ? '' : ' (no shop configured)'}`);
  console.log(`outbox:    ${counts.pending} shop writes pending (the running relay applies them), ${counts.dead} dead-lettered`);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
