import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import Database from 'better-sqlite3';
import express from 'express';
import { sandboxCheckoutRoutes } from '../../../relay/src/providers/sandbox/sandbox-checkout-routes';
import { SandboxProvider } from '../../../relay/src/providers/sandbox/sandbox-provider';
import { SqliteSandboxLedger } from '../../../relay/src/providers/sandbox/sqlite-sandbox-ledger';

const SECRET = 'sandbox_unit_secret_0123456789';

describe('sandbox provider and checkout routes', () => {
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const db = new Database(':memory:');
  const ledger = new SqliteSandboxLedger(db);
  const provider = new SandboxProvider({ ledger, secret: SECRET, publicUrl: 'http://relay.test/', clock });
  const received: Array<{ raw: Buffer; headers: http.IncomingHttpHeaders }> = [];
  let server: http.Server;
  let base: string;
  const input = (id: string) => ({
    relaySessionId: id, merchantOrderId: '1', amountMinor: 500, currency: 'eur', customerEmail: null, customerCountry: null, method: 'any' as const,
    returnUrl: 'http://shop.test/thanks', cancelUrl: 'http://shop.test/cart', locale: null, expiresAt: now + 60_000, idempotencyKey: id, webhookUrl: '',
  });

  beforeAll(async () => {
    const app = express();
    app.post('/webhooks/sandbox', express.raw({ type: '*/*' }), (req, res) => {
      received.push({ raw: req.body as Buffer, headers: req.headers });
      res.sendStatus(200);
    });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app.use(
      sandboxCheckoutRoutes({
        ledger, secret: SECRET, clock, webhookUrl: `${base}/webhooks/sandbox`,
        lookupSession: (id) => (id.startsWith('ps_') ? { merchantOrderId: '1', amountMinor: 500, currency: 'EUR', returnUrl: 'http://shop.test/thanks', cancelUrl: 'http://shop.test/cart', status: 'created', expiresAt: now + 60_000 } : null),
      }),
    );
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    db.close();
  });
  beforeEach(() => (received.length = 0));

  const click = (id: string, form: Record<string, string>) =>
    axios.post(`${base}/sandbox/checkout/${id}`, new URLSearchParams(form).toString(), { maxRedirects: 0, validateStatus: () => true, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const statuses = () => received.map((r) => {
    const v = provider.verifyWebhook(r.raw, r.headers, now);
    return v.ok && v.value.kind === 'events' ? v.value.events[0] : null;
  });

  it('createCheckout points at the sandbox page and is idempotent', async () => {
    const first = await provider.createCheckout(input('ps_a'));
    const again = await provider.createCheckout(input('ps_a'));
    expect(first).toEqual({ ok: true, value: { providerSessionId: 'ps_a', checkoutUrl: 'http://relay.test/sandbox/checkout/ps_a', expiresAt: now + 60_000, providerPaymentId: 'sbx_pay_ps_a' } });
    expect(again).toEqual(first);
  });

  it('an unpaid session is expired when fetched after its expiry, and stays expired', async () => {
    await provider.createCheckout(input('ps_b'));
    const before = await provider.fetchStatus({ providerSessionId: 'ps_b', relaySessionId: 'ps_b' });
    expect(before.ok && before.value.event.status).toBe('created');
    now += 61_000;
    const after = await provider.fetchStatus({ providerSessionId: 'ps_b', relaySessionId: 'ps_b' });
    expect(after.ok && after.value.event).toEqual(expect.objectContaining({ status: 'expired', eventId: 'sync:ps_b:expired:0' }));
    now -= 61_000;
  });

  it('expireCheckout closes an open session and leaves a paid one alone', async () => {
    await provider.createCheckout(input('ps_c'));
    expect(await provider.expireCheckout({ providerSessionId: 'ps_c' })).toEqual({ ok: true, value: undefined });
    expect(ledger.get('ps_c')?.status).toBe('expired');
    await provider.createCheckout(input('ps_d'));
    ledger.record('ps_d', { status: 'paid' }, now);
    await provider.expireCheckout({ providerSessionId: 'ps_d' });
    expect(ledger.get('ps_d')?.status).toBe('paid');
    expect(await provider.expireCheckout({ providerSessionId: 'nope' })).toEqual({ ok: false, error: expect.objectContaining({ code: 'not_found' }) });
  });

  it('deliver twice sends the same event id twice', async () => {
    const res = await click('ps_e', { action: 'pay', delivery: 'twice' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('http://shop.test/thanks');
    const events = statuses();
    expect(events.map((e) => e?.status)).toEqual(['paid', 'paid']);
    expect(events[0]?.eventId).toBe(events[1]?.eventId);
  });

  it('deliver out of order sends a pending after the outcome', async () => {
    await click('ps_f', { action: 'pay', delivery: 'out_of_order' });
    const events = statuses();
    expect(events.map((e) => e?.status)).toEqual(['paid', 'pending']);
    expect(events[1]!.occurredAt).toBeLessThan(events[0]!.occurredAt);
  });

  it('decline sends failed with the decline reason; review sends review', async () => {
    await click('ps_g', { action: 'decline' });
    await click('ps_h', { action: 'review' });
    expect(statuses()).toEqual([
      expect.objectContaining({ status: 'failed', reason: expect.stringContaining('declined') }),
      expect.objectContaining({ status: 'review' }),
    ]);
  });

  it('abandon sends nothing and returns to the cancel URL', async () => {
    const res = await click('ps_i', { action: 'abandon' });
    expect(res.headers.location).toBe('http://shop.test/cart');
    expect(received).toHaveLength(0);
  });

  it('unknown sessions and unknown buttons are refused', async () => {
    expect((await axios.get(`${base}/sandbox/checkout/unknown`, { validateStatus: () => true })).status).toBe(404);
    expect((await click('ps_j', { action: 'steal' })).status).toBe(400);
  });
});
