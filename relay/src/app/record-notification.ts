import type { ProviderId } from '../domain/provider-event';
import { providerDisplayName } from '../domain/provider-names';
import type { NotificationOutcome } from '../ports/event-recorder';
import { PARK_WINDOW_MS, queueProviderFetch, type EventStores } from './record-provider-event';

/**
 * An unsigned "go and look" ping (Mollie): nothing in it is trusted; the worker asks the provider's API. Pings
 * collapse into one pending fetch per payment, and a ping for a payment no session of ours has costs no API
 * call: it is parked (one row per payment) and fetched only if such a session is written within the window.
 */
export function recordNotification(stores: EventStores, provider: ProviderId, ref: string, raw: Buffer, now: number): NotificationOutcome {
  const session = stores.sessions.findByProviderPaymentId(provider, ref) ?? stores.sessions.findByProviderSessionId(provider, ref);
  const name = providerDisplayName(provider);
  if (!session) {
    stores.parked.park(
      { provider, eventKey: `notification:${ref}`, kind: 'notification', relaySessionId: null, providerSessionId: ref, providerPaymentId: ref, event: null },
      now,
      now + PARK_WINDOW_MS,
    );
    return 'parked';
  }
  return queueProviderFetch(stores, provider, ref, session, now, `${name} said payment ${ref} changed; the relay will ask ${name} for its status.`, { rawBody: raw });
}
