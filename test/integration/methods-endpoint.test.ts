import { ADYEN_TEST_HMAC_KEY } from '../helpers/provider-signers';
import { startOpsRelay, type OpsRelay } from '../helpers/ops-relay';

/** GET /v1/methods (shared/openapi.yaml listRoutableMethods) over a real relay: what the plugin may offer. */
describe('GET /v1/methods', () => {
  let h: OpsRelay;
  afterEach(async () => {
    await h.close();
  });

  it('answers every method with the configured providers in order, uncached', async () => {
    h = await startOpsRelay({ ADYEN_API_KEY: 'AQE_methods_key', ADYEN_MERCHANT_ACCOUNT: 'Shop_ECOM', ADYEN_HMAC_KEY: ADYEN_TEST_HMAC_KEY, ADYEN_API_BASE: 'http://127.0.0.1:9' });
    const answer = await h.signed('GET', '/v1/methods?currency=eur&country=nl&amount=1250');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      currency: 'EUR',
      country: 'NL',
      amount: 1250,
      methods: [
        { method: 'card', routable: true, providers: ['adyen', 'sandbox'], skipped: [{ provider: 'stripe', reason: 'not configured' }] },
        { method: 'bank_transfer', routable: true, providers: ['adyen', 'sandbox'], skipped: [{ provider: 'mollie', reason: 'not configured' }, { provider: 'stripe', reason: 'not configured' }] },
        { method: 'wallet', routable: true, providers: ['adyen', 'sandbox'], skipped: [{ provider: 'paypal', reason: 'not configured' }, { provider: 'stripe', reason: 'not configured' }] },
        { method: 'crypto', routable: true, providers: ['sandbox'], skipped: [{ provider: 'coinbase-commerce', reason: 'not configured' }] },
      ],
    });
  });

  it('with only the currency (the plugin settings screen) and no Adyen: the sandbox alone', async () => {
    h = await startOpsRelay();
    const answer = await h.signed('GET', '/v1/methods?currency=USD');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ currency: 'USD', country: null, amount: null });
    expect(answer.body.methods.map((m: { method: string; providers: string[] }) => [m.method, m.providers])).toEqual([['card', ['sandbox']], ['bank_transfer', ['sandbox']], ['wallet', ['sandbox']], ['crypto', ['sandbox']]]);
  });

  it('refuses an unsigned request and lists every problem of a bad query', async () => {
    h = await startOpsRelay();
    expect((await h.signed('GET', '/v1/methods?currency=EUR', undefined, { unsigned: true })).status).toBe(401);
    const bad = await h.signed('GET', '/v1/methods?currency=EURO&country=NLD&amount=-1');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toHaveLength(3);
  });
});
