import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import { loadConfig } from '../../relay/src/config/load-config';
import { EmulatedShop } from '../../relay/src/demo-shop/emulated-shop';
import { createSqliteDemoShopStore } from '../../relay/src/demo-shop/sqlite-demo-shop-store';
import { signShopRequest } from '../../relay/src/http/request-signature';
import { startRelay, type RelayHandle } from '../../relay/src/relay';
import { artifactPath, CHROMIUM, eventually, hasChromium, launchChromium } from '../helpers/browser-chromium';

if (!hasChromium) console.warn(`payment-link-browser e2e skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

/**
 * Issue 11, the customer's path from the e-mail link, in a real browser: `npm start` in sandbox mode (the demo
 * shop is the shop, the real composition root with its worker and the system clock), an order made by hand for a
 * phone sale, a payment link sent for it, then Chromium opens the link, pays on the sandbox's hosted checkout,
 * lands on the shop's thank-you page, and opening the link again says "already paid".
 */
(hasChromium ? describe : describe.skip)('payment link in a browser: e-mail link → hosted checkout → thank-you page → "already paid"', () => {
  let dir: string;
  let relay: RelayHandle;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-link-e2e-'));
    const config = loadConfig({ PAYRELAY_PORT: '0', PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: path.join(dir, 'payrelay.db') });
    relay = await startRelay(config, process.env.PAYRELAY_E2E_LOGS ? {} : { logger: silentLogger });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the plugin's "Send payment link" does: a signed request to the relay (shared/request-signing.md). */
  async function sendPaymentLink(orderId: number, body: Record<string, unknown>): Promise<{ url: string; link_id: string }> {
    const pathname = `/v1/orders/${orderId}/payment-links`;
    const raw = JSON.stringify(body);
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(`${relay.url}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-payrelay-timestamp': String(timestamp), 'x-payrelay-signature': signShopRequest(relay.shopSecret, timestamp, 'POST', pathname, raw) },
      body: raw,
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { url: string; link_id: string };
  }

  it('pays once through the link and shows "already paid" when the link is opened again', async () => {
    const site = relay.demoShopUrl!.replace(/\/+$/, '');
    // A phone sale: the merchant makes the order by hand in the shop (the demo shop's own store, as its admin would).
    const shop = new EmulatedShop(createSqliteDemoShopStore(relay.db), { now: () => Date.now() }, site);
    const order = shop.createOrder({ total: '42.50', currency: 'EUR', status: 'pending', email: 'phone.customer@example.com', country: 'NL' });
    const thankYou = `${site}/order/${order.id}?key=${encodeURIComponent(order.orderKey)}`;
    const link = await sendPaymentLink(order.id, {
      order_key: order.orderKey,
      amount: 4250,
      currency: 'EUR',
      customer: { email: 'phone.customer@example.com', country: 'NL' },
      method: 'card',
      return_url: thankYou,
      cancel_url: `${thankYou}&cancelled=1`,
      lifetime_days: 7,
      site_url: site,
    });
    expect(relay.stores.sessions.listByOrder(String(order.id))).toHaveLength(0);

    // The customer clicks the link in the e-mail: the relay starts a fresh hosted checkout and sends the browser there.
    await page.goto(link.url);
    await page.waitForURL(/\/sandbox\/checkout\/ps_[0-9a-f]+$/);
    await expect(page.textContent('[data-testid=amount]')).resolves.toBe('42.50 EUR');
    await page.screenshot({ path: artifactPath('payment-link-1-hosted-checkout.png'), fullPage: true });

    // Pays; the sandbox sends its signed webhook and returns the customer to the shop's thank-you page.
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${site}/order/${order.id}?key=`)), page.click('#pay')]);
    // The page refreshes itself until the webhook, the outbox worker and the shop write have happened.
    await page.waitForSelector('text=Payment confirmed.', { timeout: 15_000 });
    await expect(page.textContent('.status')).resolves.toBe('processing');
    await page.screenshot({ path: artifactPath('payment-link-2-thank-you.png'), fullPage: true });
    await eventually(`order ${order.id} processing in the shop`, async () => {
      const current = await relay.gateway.getOrder(String(order.id));
      return current.ok && current.value.status === 'processing' ? true : undefined;
    });

    // The customer opens the e-mail link again: nothing is charged twice, the page says so.
    const again = await page.goto(link.url);
    expect(again?.status()).toBe(200);
    expect(page.url()).toBe(link.url);
    await expect(page.getAttribute('[data-testid=link-message]', 'data-code')).resolves.toBe('already_paid');
    await expect(page.textContent('[data-testid=link-message]')).resolves.toContain('already been paid');
    await page.screenshot({ path: artifactPath('payment-link-3-already-paid.png'), fullPage: true });

    expect(relay.stores.sessions.listByOrder(String(order.id))).toHaveLength(1);
    const steps = relay.stores.log.listByOrder(String(order.id)).filter((e) => e.kind === 'payment_link').map((e) => `${e.data?.step}${e.data?.outcome ? `:${e.data.outcome}` : ''}`);
    expect(steps).toEqual(['sent', 'opened:new_session', 'session_created', 'opened:already_paid']);
  });
});
