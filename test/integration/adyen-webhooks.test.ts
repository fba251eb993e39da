import fs from 'node:fs';
import path from 'node:path';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import { startHarness, type Harness } from '../helpers/relay-harness';
import { ADYEN_TEST_HMAC_KEY, PROVIDER_FIXTURES, signedAdyenNotification } from '../helpers/provider-signers';

const ADYEN_ENV = { ADYEN_API_KEY: 'AQE_integration_key', ADYEN_MERCHANT_ACCOUNT: 'YOUR_MERCHANT_ACCOUNT', ADYEN_HMAC_KEY: `${'00'.repeat(32)},${ADYEN_TEST_HMAC_KEY}`, ADYEN_API_BASE: 'http://127.0.0.1:9' };

function item(eventCode: string, session: PaymentSession, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'adyen', 'notifications', 'openapi-examples', 'AUTHORISATION.json'), 'utf8')).notificationItems[0].NotificationRequestItem;
  return {
    ...base,
    eventCode,
    merchantReference: session.id,
    pspReference: 'PSP0000000000001',
    amount: { value: session.amountMinor, currency: session.currency },
    additionalData: { paymentLinkId: session.providerSessionId },
    ...overrides,
  };
}

/** A standard notification through the relay's HTTP server, into the WooCommerce stand-in by the outbox worker. */
describe('Adyen notifications end to end', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(ADYEN_ENV);
  });
  afterEach(async () => {
    await h.close();
  });

  const seed = () => h.seed({ provider: 'adyen', providerSessionId: `PL${Math.random().toString(16).slice(2, 14).toUpperCase()}` });
  const post = (body: Buffer) => h.post(body.toString(), {}, 'adyen');
  const putsTo = (orderId: string) => h.shop.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/orders/${orderId}`) && r.status === 200).length;
  const rejections = () => h.sql.all("SELECT code, message FROM webhook_rejections WHERE provider = 'adyen'") as Array<{ code: string; message: string }>;

  it('AUTHORISATION: the order is paid with the pspReference; Adyen gets [accepted]', async () => {
    const session = seed();
    const answer = await post(signedAdyenNotification([item('AUTHORISATION', session)]));
    expect(answer).toEqual({ status: 200, body: '[accepted]' });
    await h.drain();
    const order = h.shop.orders.getOrder(session.merchantOrderId)!;
    expect(order.status).toBe('processing');
    expect(order.transactionId).toBe('PSP0000000000001');
    expect(h.ourNotes(session.merchantOrderId)).toEqual([`Payment received at Adyen: 19.99 EUR, payment PSP0000000000001. [Payrelay ref adyen:PSP0000000000001:AUTHORISATION:true]`]);
  });

  it('delivered twice (Adyen retries until acknowledged): the second changes nothing', async () => {
    const session = seed();
    const body = signedAdyenNotification([item('AUTHORISATION', session)]);
    expect((await post(body)).status).toBe(200);
    await h.drain();
    expect((await post(body)).status).toBe(200);
    await h.drain();
    expect(h.sql.all("SELECT outcome FROM webhook_events WHERE provider = 'adyen'")).toEqual([{ outcome: 'applied' }]);
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    expect(putsTo(session.merchantOrderId)).toBe(1);
  });

  it('out of order: an OFFER_CLOSED retried after the AUTHORISATION does not undo the payment', async () => {
    const session = seed();
    await post(signedAdyenNotification([item('AUTHORISATION', session)]));
    await post(signedAdyenNotification([item('OFFER_CLOSED', session)]));
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  });

  it('a payment after the offer closed is still money: the order, left payable, is marked paid', async () => {
    const session = seed();
    await post(signedAdyenNotification([item('OFFER_CLOSED', session)]));
    await h.drain();
    // An offer that closed is an expired checkout: the order stays pending payment (issue 12 item 7).
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('pending');
    await post(signedAdyenNotification([item('AUTHORISATION', session)]));
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
  });

  it('a batch with one bad item: the good item is applied, the bad one recorded as rejected, the delivery accepted', async () => {
    const [paid, other] = [seed(), seed()];
    const body = signedAdyenNotification([item('AUTHORISATION', paid), item('AUTHORISATION', other, { pspReference: 'PSP0000000000002' })], { badItems: [1] });
    expect(await post(body)).toEqual({ status: 200, body: '[accepted]' });
    await h.drain();
    expect(h.shop.orders.getOrder(paid.merchantOrderId)!.status).toBe('processing');
    expect(h.shop.orders.getOrder(other.merchantOrderId)!.status).toBe('pending');
    expect(rejections()).toEqual([{ code: 'bad_signature', message: expect.stringContaining('item 2 (PSP0000000000002 AUTHORISATION)') }]);
  });

  it('a batch where every item is bad is 401 and nothing is stored', async () => {
    const session = seed();
    const answer = await post(signedAdyenNotification([item('AUTHORISATION', session)], { badItems: [0] }));
    expect(answer.status).toBe(401);
    expect(h.sql.get("SELECT COUNT(*) AS n FROM webhook_events WHERE provider = 'adyen'")).toEqual({ n: 0 });
    expect(rejections()).toHaveLength(1);
  });

  it('two partial REFUND items add up to a full refund, once each', async () => {
    const session = seed();
    await post(signedAdyenNotification([item('AUTHORISATION', session)]));
    const refund = (psp: string, value: number) => item('REFUND', session, { pspReference: psp, originalReference: 'PSP0000000000001', amount: { value, currency: 'EUR' } });
    const body = signedAdyenNotification([refund('RF00000000000001', 999), refund('RF00000000000002', 1000)]);
    await post(body);
    await post(body);
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('refunded');
    expect(h.relay.stores.sessions.get(session.id)).toEqual(expect.objectContaining({ status: 'refunded', refundedMinor: 1999 }));
  });
});
