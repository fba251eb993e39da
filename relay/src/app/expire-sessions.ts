import type { PaymentSession } from '../domain/payment-session';
import { providerDisplayName } from '../domain/provider-names';
import type { Logger } from '../ports/logger';
import { recordProviderEvent } from './record-provider-event';
import { refreshSessionFromProvider, type RefreshDeps } from './refresh-from-provider';

export interface ExpiryReport {
  checked: number;
  expired: number;
  /** Sessions the provider said had moved on (paid at the last second, failed…): recorded as that instead. */
  settledAtProvider: number;
  /** Provider could not be asked; tried again on the next pass. */
  deferred: number;
  /** Had an event ignored for its mode (live vs test): put on hold for a person, never expired. */
  heldForModeMismatch: number;
  /** Events parked for a session that never appeared within the window: now ignored for good. */
  parkedExpired: number;
}

/**
 * Sessions past expires_at without a final status. The provider is asked first (it may have been paid at the
 * last second); only then is the session recorded as `expired` (not `failed`), closed at the provider, and
 * the order note and status queued through the outbox.
 */
export async function expireDueSessions(deps: RefreshDeps & { logger: Logger; cancelOnExpiry?: boolean }, limit = 50): Promise<ExpiryReport> {
  const report: ExpiryReport = { checked: 0, expired: 0, settledAtProvider: 0, deferred: 0, heldForModeMismatch: 0, parkedExpired: 0 };
  // Early events whose session never appeared: ignored from now on (still listed in the diagnostics).
  report.parkedExpired = deps.unitOfWork.transaction(() => deps.stores.parked.expire(deps.clock.now()));
  if (report.parkedExpired > 0) deps.logger.info('parked events expired without a session', { count: report.parkedExpired });
  for (const session of deps.stores.sessions.listOpenExpiredBefore(deps.clock.now(), limit)) {
    report.checked += 1;
    const provider = deps.providers.get(session.provider);
    if (provider && session.providerSessionId) {
      const refreshed = await refreshSessionFromProvider(deps, session);
      if (!refreshed.ok) {
        report.deferred += 1;
        deps.logger.warn('expiry deferred: provider not reachable', { sessionId: session.id, provider: session.provider, code: refreshed.error.code });
        continue;
      }
      const current = deps.stores.sessions.get(session.id);
      if (current && current.status !== 'created' && current.status !== 'pending') {
        report.settledAtProvider += 1;
        continue;
      }
    }
    // Checked after the provider was asked: its answer may itself be the mismatched event that raises the alert.
    if (deps.stores.alerts.latestFor(session.id, 'mode_mismatch') !== null) {
      holdForModeMismatch(deps, session);
      report.heldForModeMismatch += 1;
      continue;
    }
    const now = deps.clock.now();
    const expired = deps.unitOfWork.transaction(() => {
      // Compare and set: another sweep on another connection (npm run reconcile beside the relay's timer, which
      // SQLite does not lock out) may have expired it since the list was read; only the inbox's key would stop
      // its event, not the provider close or the log entry written beside it.
      const current = deps.stores.sessions.getForUpdate(session.id);
      if (!current || (current.status !== 'created' && current.status !== 'pending')) return false;
      if (provider?.capabilities.canExpire && session.providerSessionId) {
        // Queued before the order write, so the customer can no longer pay on it by the time the shop says expired.
        deps.stores.outbox.enqueue(session.merchantOrderId, { kind: 'expire_at_provider', provider: session.provider, providerSessionId: session.providerSessionId, sessionId: session.id }, now);
      }
      recordProviderEvent(
        deps.stores,
        {
          provider: session.provider,
          eventId: `expiry:${session.id}`,
          eventType: 'payrelay.session_expired',
          status: 'expired',
          relaySessionId: session.id,
          livemode: deps.livemode,
          occurredAt: now,
          reason: `no payment before ${new Date(session.expiresAt).toISOString()}`,
        },
        Buffer.from(JSON.stringify({ expired: session.id, expiresAt: session.expiresAt })),
        'expiry',
        deps.livemode,
        now,
      );
      deps.stores.log.append({
        at: now,
        merchantOrderId: session.merchantOrderId,
        sessionId: session.id,
        provider: session.provider,
        kind: 'session_expired',
        // Expired is not failed: nothing was declined, and (unless the merchant chose otherwise) the order stays payable.
        message: `Session at ${providerDisplayName(session.provider)} expired unpaid at ${new Date(session.expiresAt).toISOString()} (not a decline); ${
          deps.cancelOnExpiry ? 'the order is cancelled (PAYRELAY_CANCEL_ON_EXPIRY=1).' : 'the order stays pending payment and the customer can still pay from the order page.'
        }`,
      });
      return true;
    });
    if (expired) report.expired += 1;
  }
  return report;
}

/**
 * A session that got an event from the other mode may have been paid for real where the relay cannot see it:
 * expiring it would cancel a paid order. It goes to `review` instead (the order on-hold, with a note saying why),
 * so a person checks at the provider; it stays open at the provider too.
 */
function holdForModeMismatch(deps: RefreshDeps, session: PaymentSession): void {
  const now = deps.clock.now();
  const name = providerDisplayName(session.provider);
  const relayMode = deps.livemode ? 'live' : 'test';
  const otherMode = deps.livemode ? 'test' : 'live';
  deps.unitOfWork.transaction(() =>
    recordProviderEvent(
      deps.stores,
      {
        provider: session.provider,
        eventId: `mode-hold:${session.id}`,
        eventType: 'payrelay.mode_mismatch_hold',
        status: 'review',
        relaySessionId: session.id,
        livemode: deps.livemode,
        occurredAt: now,
        reason: `${name} sent ${otherMode}-mode events for this session while the relay runs in ${relayMode} mode, so the relay cannot tell whether the customer paid; it was not expired. Check the payment in ${name}'s dashboard`,
      },
      Buffer.from(JSON.stringify({ held: session.id, expiresAt: session.expiresAt })),
      'expiry',
      deps.livemode,
      now,
    ),
  );
}
