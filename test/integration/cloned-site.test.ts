import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import { loadConfig } from '../../relay/src/config/load-config';
import type { ProviderId } from '../../relay/src/domain/provider-event';
import { signShopRequest } from '../../relay/src/http/request-signature';
import type { PaymentProvider } from '../../relay/src/ports/payment-provider';
import { startRelay, type RelayHandle } from '../../relay/src/relay';
import { fakeProvider, type FakeProvider } from '../helpers/fake-provider';

const SECRET = 'shop_secret_shared_by_live_and_staging_0123';

/**
 * A staging copy of the shop carries the live plugin settings: the right relay URL and the right shop secret.
 * Its session requests are signed correctly, yet the relay serves https://shop.example only.
 */
describe('a cloned site cannot touch the live shop', () => {
  let relay: RelayHandle;
  let stripe: FakeProvider;
  let sandbox: FakeProvider;
  const providerCalls = () => stripe.calls.length + sandbox.calls.length;

  beforeEach(async () => {
    stripe = fakeProvider({ id: 'stripe' });
    sandbox = fakeProvider({ id: 'sandbox' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-clone-'));
    const config = loadConfig({
      PAYRELAY_PORT: '0',
      PAYRELAY_HOST: '127.0.0.1',
      PAYRELAY_DB: path.join(dir, 'relay.db'),
      WC_URL: 'https://shop.example',
      WC_CONSUMER_KEY: 'ck_live_shop_key_000000000000000000000000',
      WC_CONSUMER_SECRET: 'cs_live_shop_secret_0000000000000000000000',
      PAYRELAY_SHOP_SECRET: SECRET,
      PAYRELAY_SANDBOX: '1',
      SANDBOX_WEBHOOK_SECRET: 'sandbox_secret_of_the_clone_test_0123',
      PAYRELAY_LOG_LEVEL: 'error',
    });
    const providers = new Map<ProviderId, PaymentProvider>([['stripe', stripe], ['sandbox', sandbox]]);
    relay = await startRelay(config, { logger: silentLogger, background: false, providers });
  });

  afterEach(() => relay.close());

  async function post(pathname: string, body: Record<string, unknown>) {
    const raw = JSON.stringify(body);
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(`${relay.url}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-payrelay-timestamp': String(timestamp), 'x-payrelay-signature': signShopRequest(SECRET, timestamp, 'POST', pathname, raw) },
      body: raw,
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  const session = (site: string | undefined) => ({
    order_id: '1042',
    order_key: 'wc_order_staging_1042',
    amount: 1999,
    currency: 'EUR',
    customer: { email: 'tester@example.com', country: 'NL' },
    method: 'card',
    return_url: 'https://staging.shop.example/checkout/order-received/1042/',
    cancel_url: 'https://staging.shop.example/cart/',
    ...(site === undefined ? {} : { site_url: site }),
  });

  test('a session request signed with the right secret from another site is refused; nothing is created at any provider', async () => {
    const answer = await post('/v1/sessions', session('https://staging.shop.example'));
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('site_mismatch');
    expect(answer.body.error.message).toContain('this relay serves https://shop.example; this site is https://staging.shop.example');
    expect(providerCalls()).toBe(0);
    // No session row: a webhook can never be matched to the live order 1042 on behalf of the copy.
    expect(relay.stores.sessions.listByOrder('1042')).toEqual([]);
    expect(relay.stores.outbox.counts().pending).toBe(0);
  });

  test('a session request that does not say which site sent it is refused too (an old plugin on a copy)', async () => {
    const answer = await post('/v1/sessions', session(undefined));
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('site_url_missing');
    expect(providerCalls()).toBe(0);
  });

  test('the live site itself (any spelling of its address) gets its session', async () => {
    const answer = await post('/v1/sessions', session('https://Shop.example/'));
    expect(answer.status).toBe(201);
    expect(providerCalls()).toBe(1);
  });

  test('the site check gives the staging admin the same sentence, and the live admin an ok', async () => {
    const staging = await post('/v1/site-check', { site_url: 'https://staging.shop.example' });
    expect(staging.status).toBe(200);
    expect(staging.body).toMatchObject({ ok: false, code: 'site_mismatch', served_url: 'https://shop.example' });
    expect(staging.body.message).toContain('this relay serves https://shop.example; this site is https://staging.shop.example');
    expect((await post('/v1/site-check', { site_url: 'https://shop.example' })).body).toEqual({ ok: true, served_url: 'https://shop.example' });
    expect(providerCalls()).toBe(0);
  });
});
