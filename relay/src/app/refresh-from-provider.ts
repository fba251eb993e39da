import type { PaymentSession } from '../domain/payment-session';
import type { ProviderEvent, ProviderId } from '../domain/provider-event';
import type { Clock } from '../ports/clock';
import type { PaymentProvider, ProviderFailure } from '../ports/payment-provider';
import type { UnitOfWork } from '../ports/unit-of-work';
import { recordProviderEvent, type EventStores, type RecordOutcome } from './record-provider-event';

export interface RefreshDeps {
  providers: ReadonlyMap<ProviderId, PaymentProvider>;
  stores: EventStores;
  unitOfWork: UnitOfWork;
  clock: Clock;
  livemode: boolean;
}

export type RefreshResult =
  | { ok: true; providerStatus: string; outcome: RecordOutcome }
  | { ok: false; error: ProviderFailure | { kind: 'final'; code: 'not_configured'; message: string } };

/**
 * Ask the provider what happened to a session and run the answer through the same path as a webhook
 * (dedupe, decide, outbox). Used by expiry, reconciliation and the shop's "check payment" button.
 */
export async function refreshSessionFromProvider(deps: RefreshDeps, session: PaymentSession): Promise<RefreshResult> {
  if (!session.providerSessionId) return { ok: false, error: { kind: 'final', code: 'not_found', message: 'the session was never created at the provider' } };
  return askProvider(deps, session.provider, session.providerSessionId, session.id);
}

/**
 * Fetch one session or payment from its provider and record the answer like a verified webhook. With
 * `relaySessionId`, the answer is about that session whatever ids it carries; without (an unsigned Mollie
 * notification), the session is found from the answer's ids.
 */
export async function askProvider(deps: RefreshDeps, providerId: ProviderId, ref: string, relaySessionId: string | null): Promise<RefreshResult> {
  const provider = deps.providers.get(providerId);
  if (!provider) return { ok: false, error: { kind: 'final', code: 'not_configured', message: `${providerId} is not configured on this relay` } };
  const fetched = await provider.fetchStatus({ providerSessionId: ref, relaySessionId: relaySessionId ?? '' });
  if (!fetched.ok) return fetched;
  const outcome = recordSnapshot(deps, fetched.value.event, ref, relaySessionId);
  return { ok: true, providerStatus: fetched.value.event.status, outcome };
}

/** Record what a provider's API said (a fetch, a capture's answer) through the webhook path, in one transaction. */
export function recordSnapshot(deps: Pick<RefreshDeps, 'stores' | 'unitOfWork' | 'clock' | 'livemode'>, snapshot: ProviderEvent, ref: string, relaySessionId: string | null): RecordOutcome {
  // Whatever the adapter says, an answer to our question is a poll: it can confirm money, never end a hold.
  const polled = { ...snapshot, source: 'poll' as const };
  const event = relaySessionId ? { ...polled, relaySessionId } : polled;
  const now = deps.clock.now();
  return deps.unitOfWork.transaction(() =>
    recordProviderEvent(deps.stores, event, Buffer.from(JSON.stringify({ fetched: ref, status: event.status })), 'fetched', deps.livemode, now),
  );
}
