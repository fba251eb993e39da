import crypto from 'node:crypto';
import { isProviderId, type ProviderId } from '../domain/provider-event';
import { providerDisplayName } from '../domain/provider-names';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { PaymentProvider, WebhookHeaders } from '../ports/payment-provider';
import type { UnitOfWork } from '../ports/unit-of-work';
import { recordProviderEvent, type EventStores, type RecordOutcome } from './record-provider-event';

export interface IngestDeps {
  providers: ReadonlyMap<ProviderId, PaymentProvider>;
  stores: EventStores;
  unitOfWork: UnitOfWork;
  clock: Clock;
  logger: Logger;
  livemode: boolean;
}

/** What the HTTP layer answers. The status tells the provider the truth: 5xx only when it must retry. */
export type IngestResult =
  | { status: 200; body: { received: true; results: RecordOutcome[] } | { received: true; notification: string } }
  | { status: 400 | 401 | 404 | 503; body: { error: { code: string; message: string } } };

const error = (status: 400 | 401 | 404 | 503, code: string, message: string): IngestResult => ({ status, body: { error: { code, message } } });

/**
 * A webhook's way in: verify the raw bytes, then in one durable transaction dedupe, decide and queue the shop
 * write, and only then acknowledge. Never waits for the shop.
 */
export async function ingestWebhook(deps: IngestDeps, providerParam: string, raw: Buffer, headers: WebhookHeaders): Promise<IngestResult> {
  const started = deps.clock.now();
  const provider = isProviderId(providerParam) ? deps.providers.get(providerParam) : undefined;
  if (!provider) return error(404, 'unknown_provider', `no provider "${providerParam.slice(0, 40)}" is configured on this relay`);

  const verified = provider.verifyWebhook(raw, headers, started);
  if (!verified.ok) {
    const { code, message } = verified.error;
    deps.logger.warn('webhook rejected', { provider: provider.id, code, reason: message });
    try {
      deps.stores.inbox.recordRejection(provider.id, code, message, started);
    } catch {
      // Diagnostics only: failing to note a rejection must not change the answer.
    }
    return code === 'malformed' ? error(400, code, message) : error(401, code, message);
  }

  try {
    if (verified.value.kind === 'notification') {
      const ref = verified.value.providerPaymentRef;
      await deps.unitOfWork.commitDurably(() => recordNotification(deps, provider.id, ref, raw, started));
      deps.logger.info('webhook notification stored', { provider: provider.id, ref, ms: deps.clock.now() - started });
      return { status: 200, body: { received: true, notification: ref } };
    }
    const events = verified.value.events;
    const results = await deps.unitOfWork.commitDurably(() =>
      events.map((event) => recordProviderEvent(deps.stores, event, raw, 'signature', deps.livemode, started)),
    );
    for (const result of results) {
      deps.logger.info('webhook stored', { provider: provider.id, eventId: result.eventId, outcome: result.outcome, sessionId: result.sessionId, ms: deps.clock.now() - started });
    }
    return { status: 200, body: { received: true, results } };
  } catch (failure) {
    // Not durable, so not acknowledged: the provider keeps the event and retries.
    deps.logger.error('webhook could not be stored', { provider: provider.id, error: String(failure) });
    return error(503, 'storage_unavailable', 'the event could not be stored; please retry');
  }
}

/** An unsigned "go and look" ping (Mollie): nothing in it is trusted; the worker asks the provider's API. */
function recordNotification(deps: IngestDeps, provider: ProviderId, ref: string, raw: Buffer, now: number): void {
  const session = deps.stores.sessions.findByProviderPaymentId(provider, ref) ?? deps.stores.sessions.findByProviderSessionId(provider, ref);
  deps.stores.inbox.insertIfNew({
    provider,
    eventId: `notification:${ref}:${now}:${crypto.randomBytes(4).toString('hex')}`,
    eventType: 'notification',
    sessionId: session?.id ?? null,
    merchantOrderId: session?.merchantOrderId ?? null,
    rawBody: raw,
    verification: 'unsigned_notification',
    outcome: 'notification',
    receivedAt: now,
  });
  deps.stores.log.append({
    at: now,
    merchantOrderId: session?.merchantOrderId ?? null,
    sessionId: session?.id ?? null,
    provider,
    kind: 'webhook_received',
    message: `${providerDisplayName(provider)} said payment ${ref} changed; the relay will ask ${providerDisplayName(provider)} for its status.`,
    data: { ref },
  });
  deps.stores.outbox.enqueue(session?.merchantOrderId ?? `${provider}:${ref}`, { kind: 'fetch_status', provider, providerPaymentRef: ref }, now);
}
