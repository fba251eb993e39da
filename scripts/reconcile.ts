/**
 * `npm run reconcile`: one reconciliation pass now, against the configured database, providers and shop.
 * Repairs lost webhooks (asks providers about stale open sessions) and finds shop disagreements. It only queues
 * shop writes: the running relay's outbox worker applies them, so two processes never write to one order.
 */
import { createWinstonLogger } from '../relay/src/adapters/winston-logger';
import { createSqliteStores } from '../relay/src/adapters/sqlite/sqlite-stores';
import { createWooCommerceGateway } from '../relay/src/adapters/woocommerce/woocommerce-order-gateway';
import { expireDueSessions } from '../relay/src/app/expire-sessions';
import { reconcile, type ReconcileProgress } from '../relay/src/app/reconcile';
import { systemClock } from '../relay/src/ports/clock';
import { err } from '../relay/src/domain/result';
import type { OrderGateway } from '../relay/src/ports/order-gateway';
import { buildProviders } from '../relay/src/providers/provider-registry';
import { SqliteSandboxLedger } from '../relay/src/providers/sandbox/sqlite-sandbox-ledger';
import { openRelayDatabase, parseCommandLine, runCommand, type CommandSpec } from './lib/cli';
import { progressBar } from './lib/progress';
import { relayOnFile } from './lib/relay-status';
import { renderTable } from './lib/table';

const spec: CommandSpec = {
  name: 'reconcile',
  summary:
    'One reconciliation pass now: expires overdue checkout sessions, asks each provider about open sessions that\n' +
    'have had no news (lost webhooks), and compares recently settled orders with the shop. Shop writes it finds\n' +
    'needed are queued for the running relay, which applies them. A progress bar shows on a terminal.',
  notes: ['The relay runs the same pass by itself every PAYRELAY_RECONCILE_INTERVAL_MS; this is for "now".'],
};

runCommand(async () => {
  parseCommandLine(spec);
  const { config, db, close } = openRelayDatabase();
  try {
    const logger = createWinstonLogger('warn');
    const stores = createSqliteStores(db);
    const providers = buildProviders(config, { clock: systemClock, sandboxLedger: new SqliteSandboxLedger(db), logger, mollieWebhookSecrets: config.mollie?.webhookSecrets ?? [] });
    const noShop: OrderGateway['getOrder'] = async () => err({ kind: 'permanent', code: 'no_shop', message: 'no WC_URL configured' });
    const gateway: OrderGateway = config.shop ? createWooCommerceGateway({ ...config.shop, logger, clock: systemClock }) : ({ getOrder: noShop } as OrderGateway);
    const deps = { providers, stores, unitOfWork: stores.unitOfWork, clock: systemClock, livemode: config.mode === 'live', logger, gateway };

    console.log(`Reconciling ${config.databasePath} (${config.mode} mode; providers: ${[...providers.keys()].join(', ') || 'none'}; shop: ${config.shop ? config.shop.url : 'none configured'})`);
    const expiry = await expireDueSessions(deps, 500);
    const bars = { providers: progressBar(process.stdout, 'providers: stale open sessions'), shop: progressBar(process.stdout, 'shop:      settled sessions compared') };
    const seen = { providers: 0, shop: 0 };
    let phase: ReconcileProgress['phase'] | null = null;
    const finish = (which: ReconcileProgress['phase']) => bars[which].finish(`${seen[which]} checked`);
    const report = await reconcile(deps, {
      staleAfterMs: config.reconcile.pendingAfterMinutes * 60_000,
      compareWindowMs: 7 * 24 * 3600_000,
      limit: 500,
      compareWithShop: config.shop !== null,
      onProgress: (progress) => {
        if (phase && phase !== progress.phase) finish(phase);
        phase = progress.phase;
        seen[progress.phase] = progress.total;
        bars[progress.phase].update(progress.done, progress.total);
      },
    });
    if (phase) finish(phase);
    const counts = stores.outbox.counts();

    console.log('');
    console.log(
      renderTable(
        ['check', 'looked at', 'changed', 'failed', 'what it means'],
        [
          ['expiry', expiry.checked, expiry.expired + expiry.settledAtProvider, expiry.deferred, `${expiry.expired} expired, ${expiry.settledAtProvider} settled at the provider meanwhile, ${expiry.deferred} deferred (provider unreachable)`],
          ['providers', report.lookedUp, report.repaired, report.providerErrors, `${report.repaired} lost webhooks repaired${report.providerErrors ? `, ${report.providerErrors} providers did not answer` : ''}`],
          config.shop
            ? ['shop', report.comparedWithShop, report.raised, report.shopErrors, `${report.raised} disagreements raised as alerts${report.shopErrors ? `, ${report.shopErrors} shop lookups failed` : ''}`]
            : ['shop', '-', '-', '-', 'not compared: no shop is configured (WC_URL is not set: sandbox mode with the demo shop)'],
        ],
      ),
    );
    console.log('');
    console.log(`outbox: ${counts.pending} commands pending, ${counts.dead} dead-lettered${counts.dead ? ' (npm run retry-dead -- --list)' : ''}. ${relayOnFile(db, Date.now()).says}`);
  } finally {
    close();
  }
});

