import { err, ok, type Result } from '../domain/result';
import type { Logger } from '../ports/logger';
import { expireDueSessions, type ExpiryReport } from './expire-sessions';
import type { RefreshDeps } from './refresh-from-provider';

export type FastForwardProblem = { code: 'not_found' | 'not_open'; message: string };

/**
 * The sandbox checkout's "expire now": a newcomer sees an abandoned session expire (and that expired is not
 * failed) without waiting out its lifetime. The clock stays honest: the session's expires_at becomes now and the
 * relay's own expiry sweep does the rest, exactly as it would an hour later (asks the provider, records
 * `expired`, queues the order note, closes the session at the provider).
 */
export async function fastForwardToExpiry(deps: RefreshDeps & { logger: Logger; cancelOnExpiry?: boolean }, sessionId: string): Promise<Result<ExpiryReport, FastForwardProblem>> {
  const session = deps.stores.sessions.get(sessionId);
  if (!session) return err({ code: 'not_found', message: `the relay has no session ${sessionId}` });
  if (session.status !== 'created' && session.status !== 'pending') {
    return err({ code: 'not_open', message: `session ${sessionId} is already ${session.status}; only an open session can expire` });
  }
  const now = deps.clock.now();
  if (session.expiresAt > now) deps.unitOfWork.transaction(() => deps.stores.sessions.update(session.id, { expiresAt: now }, now));
  return ok(await expireDueSessions(deps));
}
