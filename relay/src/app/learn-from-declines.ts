import type { ProviderEvent } from '../domain/provider-event';
import type { ProviderHealthBoard } from '../domain/provider-health';
import type { RecordOutcome } from '../ports/event-recorder';
import type { SessionStore } from '../ports/session-store';

/**
 * Feeds declined payments into the providers' health: a decline the provider caused counts against it, one by
 * the customer's bank counts as the provider working. Only events applied for the first time (a duplicate
 * delivery must not count twice) and only where the adapter says whose fault it was.
 */
export function learnFromDeclines(health: ProviderHealthBoard, sessions: Pick<SessionStore, 'get'>) {
  return (events: readonly ProviderEvent[], results: readonly RecordOutcome[], now: number): void => {
    for (const event of events) {
      if (event.status !== 'failed' || !event.declineFault) continue;
      const result = results.find((r) => r.eventId === event.eventId);
      if (result?.outcome !== 'applied' || !result.sessionId) continue;
      const session = sessions.get(result.sessionId);
      if (!session) continue;
      health.record({ provider: event.provider, method: session.method, country: session.customerCountry ?? '' }, { kind: 'declined', fault: event.declineFault }, now);
    }
  };
}
