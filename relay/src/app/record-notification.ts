import crypto from 'node:crypto';
import type { ProviderId } from '../domain/provider-event';
import { providerDisplayName } from '../domain/provider-names';
import type { EventStores } from './record-provider-event';

/** An unsigned "go and look" ping (Mollie): nothing in it is trusted; the worker asks the provider's API. */
export function recordNotification(stores: EventStores, provider: ProviderId, ref: string, raw: Buffer, now: number): void {
  const session = stores.sessions.findByProviderPaymentId(provider, ref) ?? stores.sessions.findByProviderSessionId(provider, ref);
  stores.inbox.insertIfNew({
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
  stores.log.append({
    at: now,
    merchantOrderId: session?.merchantOrderId ?? null,
    sessionId: session?.id ?? null,
    provider,
    kind: 'webhook_received',
    message: `${providerDisplayName(provider)} said payment ${ref} changed; the relay will ask ${providerDisplayName(provider)} for its status.`,
    data: { ref },
  });
  const merchantOrderId = session?.merchantOrderId ?? null;
  stores.outbox.enqueue(merchantOrderId ?? `${provider}:${ref}`, { kind: 'fetch_status', provider, providerPaymentRef: ref, merchantOrderId }, now);
}
