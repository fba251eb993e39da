import { startHarness, type Harness } from '../helpers/relay-harness';
import { startAdyenStandIn, startCoinbaseStandIn } from '../helpers/provider-api-stand-ins';
import { ADYEN_TEST_HMAC_KEY, COINBASE_TEST_SECRET } from '../helpers/provider-signers';

/** A lost webhook: reconciliation asks the provider's API (the stand-ins) and applies what it finds, once. */
describe('reconciliation by fetch-back: Adyen payment links and Coinbase Commerce charges', () => {
  let h: Harness;
  let adyen: Awaited<ReturnType<typeof startAdyenStandIn>>;
  let coinbase: Awaited<ReturnType<typeof startCoinbaseStandIn>>;
  beforeEach(async () => {
    adyen = await startAdyenStandIn();
    coinbase = await startCoinbaseStandIn();
    h = await startHarness({
      ADYEN_API_KEY: 'AQE_reconcile', ADYEN_MERCHANT_ACCOUNT: 'Shop_ECOM', ADYEN_HMAC_KEY: ADYEN_TEST_HMAC_KEY, ADYEN_API_BASE: adyen.url,
      COINBASE_COMMERCE_API_KEY: 'cc_reconcile_key', COINBASE_COMMERCE_WEBHOOK_SECRET: COINBASE_TEST_SECRET, COINBASE_COMMERCE_API_BASE: coinbase.url,
    });
  });
  afterEach(async () => {
    await h.close();
    await adyen.close();
    await coinbase.close();
  });

  it('an Adyen link completed without a webhook: the order is paid after one pass, and a second pass changes nothing', async () => {
    const session = h.seed({ provider: 'adyen', providerSessionId: 'PL0000RECONCILE01' });
    adyen.links.set('PL0000RECONCILE01', { id: 'PL0000RECONCILE01', status: 'completed', reference: session.id, amount: { value: session.amountMinor, currency: 'EUR' } });
    h.clock.advance(20 * 60_000);
    await h.relay.runReconcile();
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    h.clock.advance(20 * 60_000);
    await h.relay.runReconcile();
    await h.drain();
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  });

  it('a Coinbase Commerce charge that expired without a payment: expired (the order stays payable), not failed', async () => {
    const session = h.seed({ provider: 'coinbase-commerce', method: 'crypto', providerSessionId: 'RECON123' });
    coinbase.charges.set('RECON123', { code: 'RECON123', timeline: [{ status: 'NEW' }, { status: 'EXPIRED' }], payments: [], metadata: { payrelay_session_id: session.id }, pricing: { local: { amount: '19.99', currency: 'EUR' } } });
    h.clock.advance(20 * 60_000);
    await h.relay.runReconcile();
    await h.drain();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('expired');
    // Expiry leaves the order pending payment, so the customer can still pay (issue 12 item 7).
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('pending');
  });

  it('a Coinbase Commerce charge completed without a webhook: paid', async () => {
    const session = h.seed({ provider: 'coinbase-commerce', method: 'crypto', providerSessionId: 'RECON456' });
    coinbase.charges.set('RECON456', { code: 'RECON456', timeline: [{ status: 'NEW' }, { status: 'PENDING' }, { status: 'COMPLETED' }], payments: [], metadata: { payrelay_session_id: session.id }, pricing: { local: { amount: '19.99', currency: 'EUR' } } });
    h.clock.advance(20 * 60_000);
    await h.relay.runReconcile();
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
  });
});
