import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { chromium, type Browser } from 'playwright-core';
import { sandboxCheckoutRoutes, type SandboxSessionView } from '../../relay/src/providers/sandbox/sandbox-checkout-routes';
import { SandboxProvider } from '../../relay/src/providers/sandbox/sandbox-provider';
import { SqliteSandboxLedger } from '../../relay/src/providers/sandbox/sqlite-sandbox-ledger';

const CHROMIUM = '/usr/bin/chromium';
const SECRET = 'sandbox_e2e_secret_0123456789';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`sandbox-checkout e2e skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
}

function listen(app: express.Express): Promise<http.Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}
const urlOf = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const close = (server: http.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

(hasChromium ? describe : describe.skip)('sandbox hosted checkout in a real browser', () => {
  let dir: string;
  let db: Database.Database;
  let relay: http.Server;
  let shop: http.Server;
  let browser: Browser;
  const received: Received[] = [];
  let provider: SandboxProvider;
  const clock = { now: () => Date.now() };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-sandbox-e2e-'));
    db = new Database(path.join(dir, 'relay.db'));
    const ledger = new SqliteSandboxLedger(db);

    // The shop: only where the browser lands afterwards.
    const shopApp = express();
    shopApp.get('/thanks', (_req, res) => res.type('html').send('<h1>Thank you</h1>'));
    shopApp.get('/cart', (_req, res) => res.type('html').send('<h1>Cart</h1>'));
    shop = await listen(shopApp);

    const sessions = new Map<string, SandboxSessionView>();
    const relayApp = express();
    // The relay's webhook endpoint, reduced to a receiver that keeps the raw bytes and headers.
    relayApp.post('/webhooks/sandbox', express.raw({ type: '*/*' }), (req, res) => {
      received.push({ headers: req.headers, raw: req.body as Buffer });
      res.status(200).json({ received: true });
    });
    relay = await listen(relayApp);
    const relayUrl = urlOf(relay);
    provider = new SandboxProvider({ ledger, secret: SECRET, publicUrl: relayUrl, clock });
    relayApp.use(
      sandboxCheckoutRoutes({ ledger, secret: SECRET, clock, webhookUrl: `${relayUrl}/webhooks/sandbox`, lookupSession: (id) => sessions.get(id) ?? null }),
    );

    const expiresAt = Date.now() + 60 * 60 * 1000;
    sessions.set('ps_e2e_1', { merchantOrderId: '4711', amountMinor: 2599, currency: 'EUR', returnUrl: `${urlOf(shop)}/thanks`, cancelUrl: `${urlOf(shop)}/cart`, status: 'created', expiresAt });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([relay, shop].filter(Boolean).map(close));
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Pay sends a correctly signed paid event to the relay and returns the shopper to the shop', async () => {
    const created = await provider.createCheckout({
      relaySessionId: 'ps_e2e_1',
      merchantOrderId: '4711',
      amountMinor: 2599,
      currency: 'EUR',
      customerEmail: null,
      customerCountry: 'NL',
      method: 'any',
      returnUrl: `${urlOf(shop)}/thanks`,
      cancelUrl: `${urlOf(shop)}/cart`,
      locale: null,
      expiresAt: Date.now() + 3_600_000,
      idempotencyKey: 'k1',
      webhookUrl: `${urlOf(relay)}/webhooks/sandbox`,
    });
    expect(created.ok).toBe(true);
    if (!created.ok) return;

    const page = await browser.newPage();
    await page.goto(created.value.checkoutUrl);
    await expect(page.textContent('body')).resolves.toContain('Payrelay Sandbox — test payments only');
    await expect(page.textContent('[data-testid=amount]')).resolves.toContain('25.99 EUR');
    await expect(page.textContent('[data-testid=order]')).resolves.toBe('4711');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'sandbox-checkout.png'), fullPage: true });

    await Promise.all([page.waitForURL(`${urlOf(shop)}/thanks`), page.click('#pay')]);
    expect(page.url()).toBe(`${urlOf(shop)}/thanks`);
    await page.close();

    expect(received).toHaveLength(1);
    const verified = provider.verifyWebhook(received[0].raw, received[0].headers, Date.now());
    expect(verified).toEqual({
      ok: true,
      value: {
        kind: 'events',
        events: [expect.objectContaining({ provider: 'sandbox', status: 'paid', relaySessionId: 'ps_e2e_1', amountMinor: 2599, currency: 'EUR', livemode: false })],
      },
    });

    // The sandbox's own record agrees, so the relay can ask it later.
    const status = await provider.fetchStatus({ providerSessionId: 'ps_e2e_1', relaySessionId: 'ps_e2e_1' });
    expect(status.ok && status.value.event.status).toBe('paid');
  });
});
