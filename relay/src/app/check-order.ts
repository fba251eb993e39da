import type { PaymentSession } from '../domain/payment-session';
import type { PaymentStatus } from '../domain/payment-status';
import { refreshSessionFromProvider, type RefreshDeps } from './refresh-from-provider';

export interface OrderCheck {
  order_id: string;
  /** The most telling status across the order's sessions (paid beats review beats pending …). */
  status: PaymentStatus | 'none';
  paid: boolean;
  /** A session can still be paid: the shop must not cancel the order yet. */
  open: boolean;
  sessions: Array<{ session_id: string; provider: string; status: PaymentStatus; checked: 'provider' | 'relay' | 'provider_unreachable' }>;
}

const PRECEDENCE: PaymentStatus[] = ['paid', 'review', 'refunded', 'pending', 'created', 'failed', 'expired', 'cancelled'];

/**
 * "Check payment at provider": asks the provider about every session of the order that is not final, so the
 * shop never cancels a paid order on its unpaid-order timer.
 */
export async function checkOrder(deps: RefreshDeps, orderId: string): Promise<OrderCheck> {
  const sessions: OrderCheck['sessions'] = [];
  const now = deps.clock.now();
  let open = false;
  for (const session of deps.stores.sessions.listByOrder(orderId)) {
    let checked: OrderCheck['sessions'][number]['checked'] = 'relay';
    if (isOpen(session)) {
      const refreshed = await refreshSessionFromProvider(deps, session);
      checked = refreshed.ok ? 'provider' : 'provider_unreachable';
    }
    const current = deps.stores.sessions.get(session.id) ?? session;
    // A session the provider could not be asked about counts as open: better to hold stock than cancel a payment.
    open ||= (isOpen(current) && current.expiresAt > now) || checked === 'provider_unreachable';
    sessions.push({ session_id: current.id, provider: current.provider, status: current.status, checked });
  }
  const statuses = sessions.map((s) => s.status);
  const status = PRECEDENCE.find((candidate) => statuses.includes(candidate)) ?? 'none';
  return { order_id: orderId, status, paid: statuses.includes('paid'), open, sessions };
}

function isOpen(session: PaymentSession): boolean {
  return session.status === 'created' || session.status === 'pending' || session.status === 'review';
}
