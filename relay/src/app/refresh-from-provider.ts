import type { PaymentSession } from '../domain/payment-session';
import type { ProviderId } from '../domain/provider-event';
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
  const provider = deps.providers.get(session.provider);
  if (!provider) return { ok: false, error: { kind: 'final', code: 'not_configured', message: `${session.provider} is not configured on this relay` } };
  if (!session.providerSessionId) return { ok: false, error: { kind: 'final', code: 'not_found', message: 'the session was never created at the provider' } };
  const fetched = await provider.fetchStatus({ providerSessionId: session.providerSessionId, relaySessionId: session.id });
  if (!fetched.ok) return fetched;
  // The provider's view is about this session, whatever ids its answer carries.
  const event = { ...fetched.value.event, relaySessionId: session.id };
  const now = deps.clock.now();
  const outcome = deps.unitOfWork.transaction(() =>
    recordProviderEvent(deps.stores, event, Buffer.from(JSON.stringify({ fetched: session.providerSessionId, status: event.status })), 'fetched', deps.livemode, now),
  );
  return { ok: true, providerStatus: event.status, outcome };
}
