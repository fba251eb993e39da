/**
 * `npm run reconcile`: one reconciliation pass now, against the configured database, providers and shop.
 * Repairs lost webhooks (asks providers about stale open sessions) and finds shop disagreements. It only queues
 * shop writes: the running relay's outbox worker applies them, so two processes never write to one order.
 *
 * On PostgreSQL it takes the fleet's schedules lock for the pass, so no relay becomes leader and sweeps at the
 * same time. When the leader holds it, the expiry sweep is left to the leader; the provider look-ups and shop
 * comparisons still run, because each of their answers is recorded through the inbox's unique key, as the shop's
 * "check payment" is on any relay. On SQLite there is no such lock: the sweep runs beside the relay's own, and each
 * session is expired by compare and set in one transaction (expire-sessions.ts), so only one of them expires it.
 */
import { createWinstonLogger } from '../relay/src/adapters/winston-logger';
import { createWooCommerceGateway } from '../relay/src/adapters/woocommerce/woocommerce-order-gateway';
import { expireDueSessions } from '../relay/src/app/expire-sessions';
import { reconcile, type ReconcileProgress } from '../relay/src/app/reconcile';
import { systemClock } from '../relay/src/ports/clock';
import { err } from '../relay/src/domain/result';
import type { OrderGateway } from '../relay/src/ports/order-gateway';
import { buildProviders } from '../relay/src/providers/provider-registry';
import { parseCommandLine, runCommand, SHOP_OPTION, type CommandSpec } from './lib/cli';
import { progressBar } from './lib/progress';
import { openRelayStore } from './lib/relay-store';
import { renderTable } from './lib/table';

const spec: CommandSpec = {
  name: 'reconcile',
  summary:
    'One reconciliation pass now: expires overdue checkout sessions, asks each provider about open sessions that\n' +
    'have had no news (lost webhooks), and compares recently settled orders with the shop. Shop writes it finds\n' +
    'needed are queued for the running relay, which applies them. A progress bar shows on a terminal.',
  options: { shop: SHOP_OPTION },
  notes: [
    'The relay runs the same pass by itself every PAYRELAY_RECONCILE_INTERVAL_MS; this is for "now".',
    "On PostgreSQL the pass takes the fleet's schedules lock; while a relay leads the fleet, the expiry sweep is left",
    'to it and the provider and shop checks run here (each answer is recorded once).',
    'With --shop ID: that registered shop\'s store, providers and WooCommerce.',
  ],
};

runCommand(async () => {
  const { values } = parseCommandLine(spec);
  const store = openRelayStore({ shop: values.shop as string | undefined });
  const { config, stores } = store;
  // Free: held for the pass, so no relay of the fleet starts the same sweep meanwhile. Taken: a relay leads.
  const leading = store.schedules ? store.schedules.take() : true;
  try {
    const logger = createWinstonLogger('warn');
    const providers = buildProviders(config, { clock: systemClock, sandboxLedger: store.sandboxLedger(), logger, mollieWebhookSecrets: config.mollie?.webhookSecrets ?? [] });
    const noShop: OrderGateway['getOrder'] = async () => err({ kind: 'permanent', code: 'no_shop', message: 'no WC_URL configured' });
    const gateway: OrderGateway = config.shop ? createWooCommerceGateway({ ...config.shop, logger, clock: systemClock }) : ({ getOrder: noShop } as OrderGateway);
    const deps = { providers, stores, unitOfWork: stores.unitOfWork, clock: systemClock, livemode: config.mode === 'live', logger, gateway };

    console.log(`Reconciling ${store.where} (${config.mode} mode; providers: ${[...providers.keys()].join(', ') || 'none'}; shop: ${config.shop ? config.shop.url : 'none configured'})`);
    if (!leading) {
      const every = config.reconcile.intervalMs > 0 ? `and a pass like this one every ${Math.round(config.reconcile.intervalMs / 1000)} s` : 'but no reconciliation (PAYRELAY_RECONCILE_INTERVAL_MS=0)';
      console.log(
        `A relay of the fleet leads this schema (it holds the schedules' lock; or another npm run reconcile does): it runs the expiry sweep ${every}.\n` +
          'The expiry sweep is left to it; the provider look-ups and shop comparisons run here, each answer recorded once (the inbox\'s unique key).',
      );
    }
    const expiry = leading ? await expireDueSessions(deps, 500) : null;
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
          expiry
            ? ['expiry', expiry.checked, expiry.expired + expiry.settledAtProvider, expiry.deferred, `${expiry.expired} expired, ${expiry.settledAtProvider} settled at the provider meanwhile, ${expiry.deferred} deferred (provider unreachable)`]
            : ['expiry', '-', '-', '-', "left to the fleet's leader, which runs it"],
          ['providers', report.lookedUp, report.repaired, report.providerErrors, `${report.repaired} lost webhooks repaired${report.providerErrors ? `, ${report.providerErrors} providers did not answer` : ''}`],
          config.shop
            ? ['shop', report.comparedWithShop, report.raised, report.shopErrors, `${report.raised} disagreements raised as alerts${report.shopErrors ? `, ${report.shopErrors} shop lookups failed` : ''}`]
            : ['shop', '-', '-', '-', 'not compared: no shop is configured (WC_URL is not set: sandbox mode with the demo shop)'],
        ],
      ),
    );
    console.log('');
    console.log(`outbox: ${counts.pending} commands pending, ${counts.dead} dead-lettered${counts.dead ? ' (npm run retry-dead -- --list)' : ''}. ${store.relays(Date.now()).says}`);
  } finally {
    if (leading) store.schedules?.release();
    store.close();
  }
});

