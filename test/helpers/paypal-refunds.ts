import fs from 'node:fs';
import path from 'node:path';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import type { PaypalStandIn } from './paypal-stand-in';
import { PROVIDER_FIXTURES } from './provider-signers';
import type { Harness } from './relay-harness';

const refundTemplate = () => JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'paypal', 'events', 'composed-v2', 'PAYMENT.CAPTURE.REFUNDED.partial.json'), 'utf8'));

let seq = 0;
/** A PayPal payment of `value` EUR, captured, known to the relay, the stand-in and the shop (order processing). */
export function paidPaypalOrder(h: Harness, paypal: PaypalStandIn, value = '50.00'): PaymentSession {
  seq += 1;
  const orderId = `5O19PR${seq}TN364715T`;
  const captureId = `3C6PR${seq}HH908993F`;
  const session = h.seed({ provider: 'paypal', providerSessionId: orderId, providerPaymentId: captureId, amountMinor: Math.round(Number(value) * 100), method: 'wallet', status: 'paid' });
  paypal.addApprovedOrder({ id: orderId, customId: session.id, referenceId: session.merchantOrderId, value, status: 'COMPLETED', captureId });
  h.shop.orders.setStatus(session.merchantOrderId, 'processing');
  return session;
}

/** The refunds PayPal has made on the session's capture, and their total ("15.00"). */
export const refundsAtPaypal = (paypal: PaypalStandIn, session: PaymentSession) => paypal.orders.get(session.providerSessionId!)!.refunds;
export const totalAtPaypal = (paypal: PaypalStandIn, session: PaymentSession) =>
  (refundsAtPaypal(paypal, session).reduce((sum, r) => sum + Math.round(Number(r.value) * 100), 0) / 100).toFixed(2);

/** PayPal's PAYMENT.CAPTURE.REFUNDED for one refund, with the capture's running total `total` as PayPal sends it. */
export function paypalRefundWebhook(session: PaymentSession, refund: { id: string; invoiceId: string | null }, total: string): string {
  const event = refundTemplate();
  event.id = `WH-PR-${refund.id}`;
  event.resource.id = refund.id;
  if (refund.invoiceId) event.resource.invoice_id = refund.invoiceId;
  else delete event.resource.invoice_id;
  event.resource.custom_id = session.id;
  event.resource.seller_payable_breakdown.total_refunded_amount.value = total;
  event.resource.links[1].href = `https://api.sandbox.paypal.com/v2/payments/captures/${session.providerPaymentId}`;
  return JSON.stringify(event);
}
