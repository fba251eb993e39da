import fs from 'node:fs';
import path from 'node:path';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import { startPaypalHarness, TEST_PAYPAL_WEBHOOK_ID, type PaypalStandIn } from '../helpers/paypal-stand-in';
import { PROVIDER_FIXTURES, signPaypal } from '../helpers/provider-signers';
import type { Harness } from '../helpers/relay-harness';

const WEBHOOK_ID = TEST_PAYPAL_WEBHOOK_ID;
const template = (name: string) => JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'paypal', 'events', 'composed-v2', name), 'utf8'));

/** PayPal: approval is not payment. The relay captures through the outbox; only the capture makes the order paid. */
describe('PayPal: approved → captured by the relay → paid, through the HTTP server into the shop stand-in', () => {
  let h: Harness;
  let paypal: PaypalStandIn;
  let stop: () => Promise<void>;
  beforeEach(async () => {
    ({ h, paypal, close: stop } = await startPaypalHarness());
  });
  afterEach(() => stop());

  let seq = 0;
  function seedPaypal(overrides: Partial<PaymentSession> = {}) {
    seq += 1;
    const orderId = `5O19INT${seq}TN364715T`;
    const session = h.seed({ provider: 'paypal', providerSessionId: orderId, amountMinor: 2500, method: 'wallet', ...overrides });
    paypal.addApprovedOrder({ id: orderId, customId: session.id, referenceId: session.merchantOrderId, value: '25.00' });
    return session;
  }

  function approved(session: PaymentSession, id = `WH-APPROVED-${session.id}`) {
    const event = template('CHECKOUT.ORDER.APPROVED.json');
    event.id = id;
    event.resource.id = session.providerSessionId;
    event.resource.purchase_units[0].custom_id = session.id;
    event.resource.purchase_units[0].reference_id = session.merchantOrderId;
    return JSON.stringify(event);
  }

  function captureCompleted(session: PaymentSession) {
    const order = paypal.orders.get(session.providerSessionId!)!;
    const event = template('PAYMENT.CAPTURE.COMPLETED.json');
    event.id = `WH-CAPTURED-${session.id}`;
    event.resource.id = order.captureId ?? 'CAPTURE-NOT-YET';
    event.resource.custom_id = session.id;
    event.resource.supplementary_data.related_ids.order_id = session.providerSessionId;
    return JSON.stringify(event);
  }

  const deliver = (body: string) => h.post(body, signPaypal(WEBHOOK_ID, body, h.clock.now()), 'paypal');
  const captures = () => paypal.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/capture'));

  it('APPROVED (twice) makes the payment pending, one capture makes it paid; the capture webhook adds nothing', async () => {
    const session = seedPaypal();
    const body = approved(session);
    const [first, second] = await Promise.all([deliver(body), deliver(body)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('pending');

    await h.drain();
    expect(captures()).toHaveLength(1);
    expect(captures()[0].requestId).toBe(`payrelay-capture-${session.providerSessionId}`);
    const after = h.relay.stores.sessions.get(session.id)!;
    expect(after.status).toBe('paid');
    expect(after.providerPaymentId).toBe(paypal.orders.get(session.providerSessionId!)!.captureId);
    const order = h.shop.orders.getOrder(session.merchantOrderId)!;
    expect(order.status).toBe('processing');
    expect(order.transactionId).toBe(after.providerPaymentId);

    const late = await deliver(captureCompleted(session));
    expect(late.status).toBe(200);
    await h.drain();
    const notes = h.ourNotes(session.merchantOrderId);
    expect(notes.filter((n) => n.startsWith('Payment received at PayPal'))).toHaveLength(1);
    expect(notes.filter((n) => n.startsWith('Payment started at PayPal'))).toHaveLength(1);
  });

  it('a capture that fails with a 5xx is retried by the worker and captures once', async () => {
    const session = seedPaypal();
    paypal.fault('/v2/checkout/orders/', { status: 500 });
    await deliver(approved(session));
    await h.drain();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
    expect(paypal.orders.get(session.providerSessionId!)!.captureId).not.toBeNull();
    expect(captures().length).toBe(2);
  });

  it('out of order: the capture webhook first, then APPROVED: stays paid and nothing is captured again', async () => {
    const session = seedPaypal();
    // Captured elsewhere (another relay process, or by hand in the dashboard).
    const order = paypal.orders.get(session.providerSessionId!)!;
    order.status = 'COMPLETED';
    order.captureId = 'CAPTURED-BY-HAND';
    expect((await deliver(captureCompleted(session))).status).toBe(200);
    expect((await deliver(approved(session))).status).toBe(200);
    await h.drain();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
    expect(captures()).toHaveLength(0);
    expect(h.ourNotes(session.merchantOrderId).filter((n) => n.startsWith('Payment received at PayPal'))).toHaveLength(1);
  });

  describe('an approval after the relay\'s session expired is still money: captured, then the late-payment rules', () => {
    const log = (session: PaymentSession) => h.relay.stores.log.listByOrder(session.merchantOrderId).map((e) => e.message);

    it('the order still awaits payment: captured once and marked paid, the note and the payment log say it came after expiry', async () => {
      const session = seedPaypal({ status: 'expired' });
      expect((await deliver(approved(session))).status).toBe(200);
      await h.drain();
      expect(captures()).toHaveLength(1);
      expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
      expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
      expect(h.ourNotes(session.merchantOrderId)).toEqual([expect.stringContaining('Payment received at PayPal after the session was expired')]);
      expect(log(session)).toContainEqual(expect.stringContaining('approved the PayPal payment after the payment session had expired'));
    });

    it('the order was cancelled meanwhile (its stock may be back on sale): captured, and the order goes on hold with a note saying why', async () => {
      const session = seedPaypal({ status: 'expired' });
      h.shop.orders.setStatus(session.merchantOrderId, 'cancelled');
      await deliver(approved(session));
      await h.drain();
      expect(captures()).toHaveLength(1);
      expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('on-hold');
      expect(h.ourNotes(session.merchantOrderId)).toEqual([expect.stringMatching(/after the session was expired.*had been cancelled in the shop.*on hold/)]);
    });

    it('the order was paid through another session: captured, and the order goes on hold with a note naming both payments', async () => {
      const first = h.seed({ provider: 'paypal', providerSessionId: '5O19FIRSTTN364715T', providerPaymentId: '3C6FIRSTHH908993F', amountMinor: 2500, method: 'wallet', status: 'paid' });
      h.shop.orders.setStatus(first.merchantOrderId, 'processing');
      // A second tab of the same WooCommerce order, whose session expired before the buyer approved it.
      const late = seedPaypal({ status: 'expired', merchantOrderId: first.merchantOrderId });
      await deliver(approved(late));
      await h.drain();
      expect(captures()).toHaveLength(1);
      const captureId = paypal.orders.get(late.providerSessionId!)!.captureId!;
      expect(h.relay.stores.sessions.get(late.id)!.status).toBe('review');
      expect(h.shop.orders.getOrder(first.merchantOrderId)!.status).toBe('on-hold');
      const [note] = h.ourNotes(first.merchantOrderId);
      expect(note).toContain(captureId);
      expect(note).toContain('3C6FIRSTHH908993F');
      expect(note).toMatch(/refund one/);
    });
  });

  it('a forged delivery is refused with 401 and stores nothing', async () => {
    const session = seedPaypal();
    const body = approved(session);
    const answer = await h.post(body, signPaypal(WEBHOOK_ID, body, h.clock.now(), 'impostor.key'), 'paypal');
    expect(answer.status).toBe(401);
    await h.drain();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('created');
  });

  it('a delivery signed for another webhook id is refused', async () => {
    const session = seedPaypal();
    const body = approved(session);
    const answer = await h.post(body, signPaypal('SOMEONEELSESWEBHOOK', body, h.clock.now()), 'paypal');
    expect(answer).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
  });
});
