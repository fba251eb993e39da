import fs from 'node:fs';
import path from 'node:path';
import { startE2E, type E2E } from '../helpers/e2e-relay';
import { PROVIDER_FIXTURES, signStripe } from '../helpers/provider-signers';

const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_standin_0000000000';

/**
 * Issue 12 item 4, end to end: an order in JPY, KWD, ISK or EUR goes through POST /v1/sessions to the Stripe
 * stand-in (the official SDK talking to it), is charged in Stripe's own encoding, and Stripe's webhook back ends as
 * an order note with the amount in the currency's major units. A code outside ISO 4217 is refused with a 400.
 */
describe('one currency table; amounts encoded per provider', () => {
  let e: E2E;
  beforeAll(async () => {
    e = await startE2E();
  });
  afterAll(async () => {
    await e.close();
  });

  async function payByCard(total: string, currency: string, amount: number, eventId: string) {
    const orderId = e.h.shop.orders.createOrder({ total, currency, payment_method: 'payrelay' });
    const created = await e.createSession(orderId, { method: 'card', amount }, `currency-${eventId}`);
    const call = e.stripe.createCalls.at(-1)!;
    return { orderId, created, unitAmount: Number(call.form.line_items?.[0]?.price_data?.unit_amount), async webhook() {
      const stripeSessionId = e.session(created.json.session_id).providerSessionId!;
      const event = JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'stripe', 'events', 'composed-from-openapi-fixtures', 'checkout.session.completed.json'), 'utf8'));
      event.id = eventId;
      event.livemode = false;
      event.created = Math.floor(e.h.clock.now() / 1000);
      // What Stripe sends back: the session as it stored it, amount_total in Stripe's encoding.
      event.data.object = { ...e.stripe.sessions.get(stripeSessionId), status: 'complete', payment_status: 'paid', payment_intent: `pi_${eventId}`, livemode: false };
      const body = JSON.stringify(event);
      const delivered = await e.h.post(body, signStripe(STRIPE_WEBHOOK_SECRET, body, e.h.clock.now()), 'stripe');
      expect(delivered.status).toBe(200);
      await e.h.drain();
    } };
  }

  it.each<[string, string, string, number, number, string]>([
    ['a EUR payment is charged in cents', '25.00', 'EUR', 2500, 2500, '25.00 EUR'],
    ['a JPY payment is charged in whole yen', '1500', 'JPY', 1500, 1500, '1500 JPY'],
    ['a KWD payment is charged in fils', '12.350', 'KWD', 12350, 12350, '12.350 KWD'],
    ['an ISK payment is charged two-decimal at Stripe (1500 ISK is 150000)', '1500', 'ISK', 1500, 150000, '1500 ISK'],
  ])('%s; the order note shows the major-unit amount', async (_name, total, currency, amount, stripeAmount, shown) => {
    const eventId = `evt_${currency.toLowerCase()}_paid`;
    const payment = await payByCard(total, currency, amount, eventId);
    expect(payment.created).toMatchObject({ status: 201, json: { provider: 'stripe' } });
    expect(payment.unitAmount).toBe(stripeAmount);
    await payment.webhook();

    expect(e.session(payment.created.json.session_id).status).toBe('paid');
    expect(e.h.shop.orders.getOrder(payment.orderId)!.status).toBe('processing');
    expect(e.h.ourNotes(payment.orderId)).toEqual([expect.stringContaining(`Payment received at Stripe: ${shown}, payment pi_${eventId}`)]);
  });

  it('a KWD amount Stripe cannot charge exactly (last digit not 0) goes to the next provider, not rounded', async () => {
    const orderId = e.h.shop.orders.createOrder({ total: '12.345', currency: 'KWD', payment_method: 'payrelay' });
    const before = e.stripe.createCalls.length;
    const created = await e.createSession(orderId, { method: 'card', amount: 12345 }, 'kwd-odd-fils');
    expect(created).toMatchObject({ status: 201, json: { provider: 'sandbox' } });
    expect(e.stripe.createCalls.length).toBe(before);
    const messages = (await e.timeline(orderId)).entries.map((entry) => entry.message);
    expect(messages).toContainEqual(expect.stringMatching(/^Stripe failed \(unsupported_payment: .*KWD only in amounts whose last digit is 0/));
  });

  it('an order in XYZ is refused with a 400 that says why', async () => {
    const orderId = e.h.shop.orders.createOrder({ total: '10.00', currency: 'EUR', payment_method: 'payrelay' });
    const answer = await e.createSession(orderId, { currency: 'XYZ' }, 'xyz-order');
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 'invalid_request', details: ['"currency" XYZ is not an ISO 4217 currency code; use the code of the currency the order is priced in, e.g. EUR'] });
    expect(e.h.relay.stores.sessions.listByOrder(orderId)).toEqual([]);
  });

  it('gold (XAU) is an ISO code but no currency an order is priced in: refused too', async () => {
    const orderId = e.h.shop.orders.createOrder({ total: '10.00', currency: 'EUR', payment_method: 'payrelay' });
    const answer = await e.createSession(orderId, { currency: 'xau' }, 'xau-order');
    expect(answer.status).toBe(400);
    expect(answer.json.error.details).toEqual([expect.stringContaining('XAU is not an ISO 4217 currency code')]);
  });
});
