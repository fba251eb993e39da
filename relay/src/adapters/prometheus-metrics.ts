import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerBoard } from '../domain/circuit-breaker';
import type { ProviderId } from '../domain/provider-event';
import type { Clock } from '../ports/clock';
import type { RelayMetrics, WebhookOutcome, CommandOutcome } from '../ports/metrics';
import type { OpsStore } from '../ports/ops-store';
import type { OutboxStore } from '../ports/outbox-store';

/** What the scrape-time gauges read: the database and the breakers, at the moment Prometheus asks. */
export interface MetricsSources {
  outbox: Pick<OutboxStore, 'counts'>;
  ops: Pick<OpsStore, 'oldestPendingAt' | 'sessionsByStatus' | 'openAlertCounts'>;
  breakers: BreakerBoard;
  providers: () => Iterable<ProviderId>;
  clock: Clock;
}

export interface PrometheusMetrics extends RelayMetrics {
  registry: Registry;
  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<string>;
  contentType: string;
}

const BREAKER_PHASE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * /metrics over prom-client, one registry per relay (tests run several relays in one process). Counters and
 * histograms are bumped where an answer is known; queue depth, sessions and breakers are read when scraped, so
 * nothing is counted twice and a restart loses no gauge.
 */
export function createPrometheusMetrics(sources: MetricsSources): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'payrelay_process_' });
  const registers = [registry];

  const webhooks = new Counter({
    name: 'payrelay_webhooks_received_total',
    help: 'Webhook events received, by provider and outcome (stored, duplicate, ignored, rejected, failed) and reason',
    labelNames: ['provider', 'outcome', 'reason'] as const,
    registers,
  });
  const ackSeconds = new Histogram({
    name: 'payrelay_webhook_ack_seconds',
    help: 'From reading a webhook request to answering it (a 2xx only after the event is on disk)',
    labelNames: ['provider'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const commands = new Counter({
    name: 'payrelay_outbox_commands_total',
    help: 'Outbox command attempts by kind and outcome (done, retry, dead)',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  const shopWrites = new Counter({
    name: 'payrelay_shop_writes_total',
    help: 'Writes to the shop (order status and notes) by outcome (done, retry, dead)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const shopWriteSeconds = new Histogram({
    name: 'payrelay_shop_write_seconds',
    help: 'How long one write to the shop took, whatever its outcome',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const deadLetters = new Counter({
    name: 'payrelay_dead_letters_total',
    help: 'Outbox commands given up on (each raises an alert: GET /v1/alerts and the plugin diagnostics)',
    labelNames: ['kind'] as const,
    registers,
  });
  const providerCalls = new Counter({
    name: 'payrelay_provider_calls_total',
    help: 'Calls to provider APIs by provider, method and outcome (ok, or the failure kind)',
    labelNames: ['provider', 'method', 'outcome'] as const,
    registers,
  });
  const providerSeconds = new Histogram({
    name: 'payrelay_provider_call_seconds',
    help: 'How long one provider API call took',
    labelNames: ['provider', 'method'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  new Gauge({
    name: 'payrelay_outbox_pending',
    help: 'Commands waiting in the outbox',
    registers,
    collect() {
      this.set(sources.outbox.counts().pending);
    },
  });
  new Gauge({
    name: 'payrelay_outbox_dead',
    help: 'Dead-lettered commands not retried yet',
    registers,
    collect() {
      this.set(sources.outbox.counts().dead);
    },
  });
  new Gauge({
    name: 'payrelay_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest command still waiting in the outbox (0 when none waits)',
    registers,
    collect() {
      const oldest = sources.ops.oldestPendingAt();
      this.set(oldest === null ? 0 : Math.max(0, (sources.clock.now() - oldest) / 1000));
    },
  });
  new Gauge({
    name: 'payrelay_sessions',
    help: 'Payment sessions by status',
    labelNames: ['status'] as const,
    registers,
    collect() {
      this.reset();
      for (const [status, n] of Object.entries(sources.ops.sessionsByStatus())) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'payrelay_open_alerts',
    help: 'Open alerts by code and provider (webhook alarms clear themselves when the cause is fixed; others are dismissed on the dashboard or in the plugin)',
    labelNames: ['code', 'provider'] as const,
    registers,
    collect() {
      // Reset first: an alert cleared since the last scrape disappears instead of staying at its old value.
      this.reset();
      for (const row of sources.ops.openAlertCounts()) this.set({ code: row.code, provider: row.provider }, row.count);
    },
  });
  new Gauge({
    name: 'payrelay_provider_breaker_state',
    help: 'Circuit breaker per provider: 0 closed, 1 half open (probing), 2 open (skipped by routing)',
    labelNames: ['provider'] as const,
    registers,
    collect() {
      for (const provider of sources.providers()) this.set({ provider }, BREAKER_PHASE[sources.breakers.state(provider).phase]);
    },
  });

  // Label children cached by key: the webhook path pays a Map lookup, not prom-client's label hashing.
  const webhookChildren = new Map<string, { inc(): void }>();
  const ackChildren = new Map<string, { observe(value: number): void }>();

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    webhook(provider: string, outcome: WebhookOutcome, reason: string, seconds: number) {
      const key = `${provider}\u0000${outcome}\u0000${reason}`;
      let counter = webhookChildren.get(key);
      if (!counter) webhookChildren.set(key, (counter = webhooks.labels(provider, outcome, reason)));
      counter.inc();
      let histogram = ackChildren.get(provider);
      if (!histogram) ackChildren.set(provider, (histogram = ackSeconds.labels(provider)));
      histogram.observe(seconds);
    },
    command(kind: string, shop: boolean, outcome: CommandOutcome, seconds: number) {
      commands.labels(kind, outcome).inc();
      if (shop) {
        shopWrites.labels(outcome).inc();
        shopWriteSeconds.observe(seconds);
      }
      if (outcome === 'dead') deadLetters.labels(kind).inc();
    },
    providerCall(provider: string, method: string, outcome: string, seconds: number) {
      providerCalls.labels(provider, method, outcome).inc();
      providerSeconds.labels(provider, method).observe(seconds);
    },
  };
}
