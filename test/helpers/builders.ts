import type { PaymentStatus } from '../../relay/src/domain/payment-status';
import { newSandboxEventId, type SandboxEventBody } from '../../relay/src/providers/sandbox/sandbox-event-schema';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import type { ProviderEvent } from '../../relay/src/domain/provider-event';
import type { LiveOrder } from '../../relay/src/ports/order-gateway';

export function aSession(overrides: Partial<PaymentSession> = {}): PaymentSession {
  return {
    id: 'ps_test_1',
    merchantOrderId: '1042',
    orderKey: 'wc_order_9HaWAJfwIEcpX',
    provider: 'stripe',
    providerSessionId: 'cs_test_1',
    providerPaymentId: null,
    customerEmail: 'ann@example.com',
    customerCountry: 'NL',
    method: 'card',
    amountMinor: 1999,
    currency: 'EUR',
    status: 'created',
    refundedMinor: 0,
    livemode: false,
    checkoutUrl: 'https://checkout.example/cs_test_1',
    returnUrl: 'https://shop.example/checkout/order-received/1042/',
    cancelUrl: 'https://shop.example/checkout/',
    statusToken: 'st_token',
    createdAt: 1_700_000_000_000,
    expiresAt: 1_700_003_600_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function anEvent(overrides: Partial<ProviderEvent> = {}): ProviderEvent {
  return {
    provider: 'stripe',
    eventId: 'evt_1',
    eventType: 'checkout.session.completed',
    status: 'paid',
    providerSessionId: 'cs_test_1',
    relaySessionId: 'ps_test_1',
    providerPaymentId: 'pi_1',
    amountMinor: 1999,
    currency: 'EUR',
    livemode: false,
    occurredAt: 1_700_000_100_000,
    ...overrides,
  };
}

export function anOrder(overrides: Partial<LiveOrder> = {}): LiveOrder {
  return {
    id: '1042',
    status: 'pending',
    currency: 'EUR',
    totalMinor: 1999,
    paymentMethod: 'payrelay',
    transactionId: '',
    datePaid: null,
    refunds: [],
    ...overrides,
  };
}

/** The sandbox provider's webhook body for a session reaching `status`, created at `nowMs`. */
export function aSandboxEvent(session: PaymentSession, status: PaymentStatus, nowMs: number, extra: Partial<SandboxEventBody> = {}): SandboxEventBody {
  return {
    id: newSandboxEventId(),
    type: `payment.${status}`,
    session_id: session.id,
    payment_id: `sbx_pay_${session.id}`,
    amount: session.amountMinor,
    currency: session.currency,
    livemode: false,
    created: Math.floor(nowMs / 1000),
    ...extra,
  };
}
