import type { PaymentSession } from '../domain/payment-session';
import type { OpsStore, QueuedCommand } from '../ports/ops-store';

/**
 * An order's outbox commands still queued or given up on. Shop writes are queued by order id; provider-side work
 * (captures, status fetches before a session was known) by the provider's reference, so its sessions name those.
 */
export function queuedCommandsOfOrder(ops: Pick<OpsStore, 'openCommandsOf'>, merchantOrderId: string, sessions: readonly PaymentSession[]): QueuedCommand[] {
  const keys = new Set([merchantOrderId]);
  for (const session of sessions) {
    for (const ref of [session.providerSessionId, session.providerPaymentId]) if (ref) keys.add(`${session.provider}:${ref}`);
  }
  return ops.openCommandsOf([...keys]);
}
