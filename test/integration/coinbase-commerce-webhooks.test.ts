import fs from 'node:fs';
import path from 'node:path';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import { startHarness, type Harness } from '../helpers/relay-harness';
import { COINBASE_TEST_SECRET, PROVIDER_FIXTURES, signCoinbase } from '../helpers/provider-signers';

const ENV = { COINBASE_COMMERCE_API_KEY: 'cc_integration_key', COINBASE_COMMERCE_WEBHOOK_SECRET: COINBASE_TEST_SECRET, COINBASE_COMMERCE_API_BASE: 'http://127.0.0.1:9' };
const base = JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'coinbase-commerce', 'webhooks', 'sdk-test-charge-created.raw.json'), 'utf8'));

/** A charge webhook for a session, like Coinbase Commerce sends it (the SDK's payload, our metadata and timeline). */
function webhook(session: PaymentSession, type: string, eventId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ...base,
    event: {
      ...base.event,
      id: eventId,
      type,
      data: {
        ...base.event.data,
        code: session.providerSessionId,
        metadata: { payrelay_session_id: session.id, payrelay_order_id: session.merchantOrderId },
        pricing: { local: { amount: (session.amountMinor / 100).toFixed(2), currency: session.currency } },
        ...extra,
      },
    },
  });
}

/** Coinbase Commerce webhooks through the relay's HTTP server, into the WooCommerce stand-in by the outbox worker. */
describe('Coinbase Commerce webhooks end to end', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(ENV);
  });
  afterEach(async () => {
    await h.close();
  });

  let counter = 0;
  const seed = () => h.seed({ provider: 'coinbase-commerce', method: 'crypto', providerSessionId: `CC${(counter += 1)}ABCD` });
  const post = (body: string) => h.post(body, signCoinbase(COINBASE_TEST_SECRET, body), 'coinbase-commerce');
  const status = (session: PaymentSession) => h.shop.orders.getOrder(session.merchantOrderId)!.status;

  it('pending then confirmed: on hold with "funds seen, not final", then paid; delivered twice, written once', async () => {
    const session = seed();
    expect((await post(webhook(session, 'charge:pending', 'evt-pending-1'))).status).toBe(200);
    await h.drain();
    expect(h.ourNotes(session.merchantOrderId).join('\n')).toContain('not final yet');
    const confirmed = webhook(session, 'charge:confirmed', 'evt-confirmed-1');
    expect((await post(confirmed)).status).toBe(200);
    const again = await post(confirmed);
    expect(again.body.results[0].outcome).toBe('duplicate');
    await h.drain();
    expect(status(session)).toBe('processing');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(2);
  });

  it('out of order: a pending delivered after confirmed does not regress the order', async () => {
    const session = seed();
    await post(webhook(session, 'charge:confirmed', 'evt-confirmed-2'));
    await post(webhook(session, 'charge:pending', 'evt-pending-2'));
    await h.drain();
    expect(status(session)).toBe('processing');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  });

  it('expired is not failed, and a payment after expiry is still money (the note says it was late)', async () => {
    const session = seed();
    await post(webhook(session, 'charge:failed', 'evt-failed-3', { timeline: [{ status: 'NEW' }, { status: 'EXPIRED' }] }));
    await h.drain();
    // An expired charge leaves the order payable (pending payment), not cancelled (issue 12 item 7).
    expect(status(session)).toBe('pending');
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('expired');
    const payment = { network: 'bitcoin', transaction_id: 'tx', value: { local: { amount: '19.99', currency: 'EUR' }, crypto: { amount: '0.0005', currency: 'BTC' } } };
    await post(webhook(session, 'charge:delayed', 'evt-delayed-3', { payments: [payment], timeline: [{ status: 'NEW' }, { status: 'EXPIRED' }, { status: 'UNRESOLVED', context: 'DELAYED' }] }));
    await h.drain();
    expect(status(session)).toBe('processing');
    expect(h.ourNotes(session.merchantOrderId).join('\n')).toMatch(/received at Coinbase Commerce after the session was expired: 19\.99 EUR.*still money/);
  });

  it('underpaid: review, the order on hold with both amounts in the note', async () => {
    const session = seed();
    const payment = { network: 'bitcoin', transaction_id: 'tx', value: { local: { amount: '15.00', currency: 'EUR' }, crypto: { amount: '0.0004', currency: 'BTC' } } };
    await post(webhook(session, 'charge:delayed', 'evt-delayed-4', { payments: [payment], timeline: [{ status: 'NEW' }, { status: 'UNRESOLVED', context: 'UNDERPAID' }] }));
    await h.drain();
    expect(status(session)).toBe('on-hold');
    expect(h.ourNotes(session.merchantOrderId).join('\n')).toMatch(/underpaid.*0\.0004 BTC \(15\.00 EUR\), 19\.99 EUR expected/);
  });

  it('a bad signature is 401 and nothing is stored', async () => {
    const session = seed();
    const body = webhook(session, 'charge:confirmed', 'evt-bad');
    const answer = await h.post(body, signCoinbase('another-secret-000', body), 'coinbase-commerce');
    expect(answer.status).toBe(401);
    expect(h.sql.get("SELECT COUNT(*) AS n FROM webhook_events WHERE provider = 'coinbase-commerce'")).toEqual({ n: 0 });
  });
});
