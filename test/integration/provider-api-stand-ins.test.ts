import type { CreateCheckoutInput } from '../../relay/src/ports/payment-provider';
import { AdyenProvider } from '../../relay/src/providers/adyen/adyen-provider';
import { CoinbaseCommerceProvider } from '../../relay/src/providers/coinbase-commerce/coinbase-commerce-provider';
import { startOpsRelay, type OpsRelay } from '../helpers/ops-relay';
import { startAdyenStandIn, startCoinbaseStandIn, type ApiFault, type ApiStandIn } from '../helpers/provider-api-stand-ins';
import { ADYEN_TEST_HMAC_KEY, COINBASE_TEST_SECRET } from '../helpers/provider-signers';

const clock = { now: () => Date.now() };
const input = (method: CreateCheckoutInput['method']): CreateCheckoutInput => ({
  relaySessionId: 'ps_standin_1',
  merchantOrderId: '1001',
  amountMinor: 2500,
  currency: 'EUR',
  customerEmail: 'ann@example.com',
  customerCountry: 'NL',
  method,
  returnUrl: 'https://shop.example/return',
  cancelUrl: 'https://shop.example/cart',
  locale: null,
  expiresAt: Date.now() + 3600_000,
  idempotencyKey: 'payrelay:1001:1',
  webhookUrl: 'https://relay.example/webhooks/x',
});

const faults: Array<[ApiFault['kind'], string, string]> = [
  ['server_error', 'fallback', 'server_error'],
  ['unavailable', 'fallback', 'server_error'],
  ['rate_limited', 'fallback', 'rate_limited'],
  ['hang', 'fallback', 'timeout'],
  ['drop', 'fallback', 'network'],
];

describe('Adyen adapter against the Checkout API stand-in (real HTTP)', () => {
  let api: Awaited<ReturnType<typeof startAdyenStandIn>>;
  let adyen: AdyenProvider;
  beforeEach(async () => {
    api = await startAdyenStandIn();
    adyen = new AdyenProvider({ apiKey: 'AQE_standin', merchantAccount: 'Shop_ECOM', hmacKeys: [ADYEN_TEST_HMAC_KEY], apiBase: api.url, live: false }, { clock, timeoutMs: 300 });
  });
  afterEach(() => api.close());

  it('creates a link, a retry with the same key gets the same link, fetch-back and closing work', async () => {
    const first = await adyen.createCheckout(input('card'));
    const again = await adyen.createCheckout(input('card'));
    expect(first.ok && again.ok && again.value.providerSessionId).toBe(first.ok && first.value.providerSessionId);
    expect(api.links.size).toBe(1);
    const id = first.ok ? first.value.providerSessionId : '';
    expect(await adyen.fetchStatus({ providerSessionId: id, relaySessionId: 'ps_standin_1' })).toEqual({ ok: true, value: { event: expect.objectContaining({ status: 'created', relaySessionId: 'ps_standin_1' }) } });
    expect((await adyen.expireCheckout({ providerSessionId: id })).ok).toBe(true);
    expect((await adyen.expireCheckout({ providerSessionId: id })).ok).toBe(true);
    expect(await adyen.fetchStatus({ providerSessionId: id, relaySessionId: 'ps_standin_1' })).toEqual({ ok: true, value: { event: expect.objectContaining({ status: 'expired' }) } });
  });

  it.each(faults)('%s → %s %s', async (fault, kind, code) => {
    api.fail({ kind: fault } as ApiFault);
    expect(await adyen.createCheckout(input('card'))).toEqual({ ok: false, error: expect.objectContaining({ kind, code }) });
  });
});

describe('Coinbase Commerce adapter against the charges API stand-in (real HTTP)', () => {
  let api: Awaited<ReturnType<typeof startCoinbaseStandIn>>;
  let coinbase: CoinbaseCommerceProvider;
  beforeEach(async () => {
    api = await startCoinbaseStandIn();
    coinbase = new CoinbaseCommerceProvider({ apiKey: 'cc_standin_key', webhookSecrets: [COINBASE_TEST_SECRET], apiBase: api.url, live: false }, { clock, timeoutMs: 300 });
  });
  afterEach(() => api.close());

  it('creates a charge, fetches it back, cancels it while NEW and leaves it alone after', async () => {
    const created = await coinbase.createCheckout(input('crypto'));
    expect(created).toEqual({ ok: true, value: expect.objectContaining({ checkoutUrl: expect.stringMatching(/^https:\/\/commerce\.coinbase\.com\/charges\/[A-Z0-9]+$/) }) });
    const code = created.ok ? created.value.providerSessionId : '';
    expect(await coinbase.fetchStatus({ providerSessionId: code, relaySessionId: 'ps_standin_1' })).toEqual({ ok: true, value: { event: expect.objectContaining({ status: 'created', relaySessionId: 'ps_standin_1', eventId: `${code}:NEW` }) } });
    expect((await coinbase.expireCheckout({ providerSessionId: code })).ok).toBe(true);
    expect((await coinbase.expireCheckout({ providerSessionId: code })).ok).toBe(true);
    expect(await coinbase.fetchStatus({ providerSessionId: code, relaySessionId: 'ps_standin_1' })).toEqual({ ok: true, value: { event: expect.objectContaining({ status: 'cancelled' }) } });
    expect(api.calls[0].headers['x-cc-version']).toBe('2018-03-22');
  });

  it.each(faults)('%s → %s %s', async (fault, kind, code) => {
    api.fail({ kind: fault } as ApiFault);
    expect(await coinbase.createCheckout(input('crypto'))).toEqual({ ok: false, error: expect.objectContaining({ kind, code }) });
  });
});

describe('POST /v1/sessions through the relay: Adyen and Coinbase Commerce stand-ins, falling back to the sandbox', () => {
  let adyenApi: ApiStandIn;
  let coinbaseApi: ApiStandIn;
  let h: OpsRelay;
  beforeEach(async () => {
    adyenApi = await startAdyenStandIn();
    coinbaseApi = await startCoinbaseStandIn();
    h = await startOpsRelay({
      ADYEN_API_KEY: 'AQE_standin', ADYEN_MERCHANT_ACCOUNT: 'Shop_ECOM', ADYEN_HMAC_KEY: ADYEN_TEST_HMAC_KEY, ADYEN_API_BASE: adyenApi.url,
      COINBASE_COMMERCE_API_KEY: 'cc_standin_key', COINBASE_COMMERCE_WEBHOOK_SECRET: COINBASE_TEST_SECRET, COINBASE_COMMERCE_API_BASE: coinbaseApi.url,
      PAYRELAY_PROVIDER_TIMEOUT_MS: '300',
    });
  });
  afterEach(async () => {
    await h.close();
    await adyenApi.close();
    await coinbaseApi.close();
  });

  const create = (method: string, orderKey: string) => {
    const orderId = h.shop.orders.createOrder({ total: '25.00', currency: 'EUR', payment_method: 'payrelay' });
    return h.signed('POST', '/v1/sessions', {
      order_id: orderId, order_key: orderKey, amount: 2500, currency: 'EUR', customer: { email: 'ann@example.com', country: 'NL' }, method,
      return_url: `${h.shop.url}/checkout/order-received/${orderId}`, cancel_url: `${h.shop.url}/cart`, site_url: h.shop.url,
    });
  };

  it('card: Stripe is not configured, so Adyen takes it; with Adyen answering 503 the sandbox does', async () => {
    const first = await create('card', 'wc_order_a1');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ provider: 'adyen', checkout_url: expect.stringMatching(/^https:\/\/test\.adyen\.link\/PL/) });
    adyenApi.fail({ kind: 'unavailable' });
    const second = await create('card', 'wc_order_a2');
    expect(second.status).toBe(201);
    expect(second.body.provider).toBe('sandbox');
  });

  it('crypto: Coinbase Commerce takes it; with Coinbase hanging past the timeout the sandbox does', async () => {
    const first = await create('crypto', 'wc_order_c1');
    expect(first.body).toMatchObject({ provider: 'coinbase-commerce', checkout_url: expect.stringMatching(/^https:\/\/commerce\.coinbase\.com\/charges\//) });
    coinbaseApi.fail({ kind: 'hang' });
    const second = await create('crypto', 'wc_order_c2');
    expect(second.status).toBe(201);
    expect(second.body.provider).toBe('sandbox');
  });
});
