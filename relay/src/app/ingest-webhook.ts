import { isProviderId, type ProviderEvent, type ProviderId } from '../domain/provider-event';
import type { NotificationThrottle } from '../domain/token-bucket';
import type { EventRecorder, NotificationOutcome, RecordOutcome } from '../ports/event-recorder';
import type { Logger } from '../ports/logger';
import type { PaymentProvider, WebhookHeaders } from '../ports/payment-provider';

export interface IngestDeps {
  providers: ReadonlyMap<ProviderId, PaymentProvider>;
  recorder: EventRecorder;
  logger: Logger;
  /** Bounds unsigned pings per payment and overall (anyone can send them); none: unbounded (unit tests). */
  notificationThrottle?: NotificationThrottle;
  /** Told what was stored, after it is durable (routing learns declines from it). */
  onEventsRecorded?: (events: readonly ProviderEvent[], results: readonly RecordOutcome[], receivedAt: number) => void;
}

/** What the HTTP layer answers. The status tells the provider the truth: 5xx only when it must retry. */
export type IngestResult =
  | { status: 200; body: { received: true; results: RecordOutcome[] } | { received: true; notification: string; outcome: NotificationOutcome }; text?: string }
  | { status: 400 | 401 | 404 | 503; body: { error: { code: string; message: string } } }
  /** Too many unsigned pings: nothing stored; the provider retries later (Mollie does, for any non-2xx). */
  | { status: 429; retryAfterSeconds: number; body: { error: { code: string; message: string } } };

const error = (status: 400 | 401 | 404 | 503, code: string, message: string): IngestResult => ({ status, body: { error: { code, message } } });

/** The answer when an event did not reach the disk: 503, so the provider keeps it and retries. */
export const notStored = (why?: string): IngestResult =>
  error(503, 'storage_unavailable', `the event could not be stored${why ? ` (${why})` : ''}; please retry`);

/**
 * A webhook's way in: verify the raw bytes, then in one durable transaction dedupe, decide and queue the shop
 * write, and only then acknowledge. Never waits for the shop. `receivedAt` is when the HTTP layer read it, on
 * the relay's clock (the verification window and the stored time both use it).
 */
export async function ingestWebhook(
  deps: IngestDeps,
  providerParam: string,
  raw: Buffer,
  headers: WebhookHeaders,
  receivedAt: number,
): Promise<IngestResult> {
  // Durations for the log only: a monotonic timer, not the (injectable) business clock.
  const timer = performance.now();
  const provider = isProviderId(providerParam) ? deps.providers.get(providerParam) : undefined;
  if (!provider) return error(404, 'unknown_provider', `no provider "${providerParam.slice(0, 40)}" is configured on this relay`);

  const verified = await provider.verifyWebhook(raw, headers, receivedAt);
  if (!verified.ok) {
    const { code, message } = verified.error;
    deps.logger.warn('webhook rejected', { provider: provider.id, code, reason: message });
    try {
      await deps.recorder.recordRejection(provider.id, code, message, receivedAt);
    } catch {
      // Diagnostics only: failing to note a rejection must not change the answer.
    }
    if (code === 'verification_unavailable') return error(503, code, message);
    return code === 'malformed' ? error(400, code, message) : error(401, code, message);
  }

  try {
    if (verified.value.kind === 'notification') {
      const ref = verified.value.providerPaymentRef;
      // Checked before any storage: a flood is refused on the HTTP thread, costing no row, fsync or API call.
      const throttled = deps.notificationThrottle?.take(`${provider.id}:${ref}`, receivedAt);
      if (throttled && !throttled.ok) {
        const retryAfterSeconds = Math.max(1, Math.ceil(throttled.retryAfterMs / 1000));
        deps.logger.debug('webhook notification throttled', { provider: provider.id, ref, scope: throttled.scope });
        return {
          status: 429,
          retryAfterSeconds,
          body: { error: { code: 'too_many_notifications', message: `too many notifications ${throttled.scope === 'ref' ? `for ${ref.slice(0, 40)}` : 'at once'}; retry in ${retryAfterSeconds} s` } },
        };
      }
      const outcome = await deps.recorder.recordNotification(provider.id, ref, raw, receivedAt);
      deps.logger.info('webhook notification stored', { provider: provider.id, ref, outcome, ms: Math.round(performance.now() - timer) });
      return { status: 200, body: { received: true, notification: ref, outcome } };
    }
    const { events, rejected, acknowledgement } = verified.value;
    const results = await deps.recorder.recordEvents(events, raw, receivedAt);
    try {
      deps.onEventsRecorded?.(events, results, receivedAt);
    } catch (failure) {
      // Stored already: a bookkeeping failure must not turn the acknowledgement into a retry.
      deps.logger.warn('webhook outcome not counted for routing', { provider: provider.id, error: String(failure) });
    }
    // Bad items of a batch: their neighbours are stored (above) before these are noted, and the delivery is
    // still acknowledged, because a retry would carry the same bad item again.
    for (const item of rejected ?? []) {
      deps.logger.warn('webhook item rejected', { provider: provider.id, code: item.code, reason: item.message });
      try {
        await deps.recorder.recordRejection(provider.id, item.code, item.message, receivedAt);
      } catch {
        // Diagnostics only, as above.
      }
    }
    for (const result of results) {
      deps.logger.info('webhook stored', { provider: provider.id, eventId: result.eventId, outcome: result.outcome, sessionId: result.sessionId, ms: Math.round(performance.now() - timer) });
    }
    return { status: 200, body: { received: true, results }, ...(acknowledgement ? { text: acknowledgement } : {}) };
  } catch (failure) {
    // Not durable, so not acknowledged: the provider keeps the event and retries.
    deps.logger.error('webhook could not be stored', { provider: provider.id, error: String(failure) });
    return notStored();
  }
}
