import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import { loadConfig } from '../../relay/src/config/load-config';
import { startRelay, type RelayHandle } from '../../relay/src/relay';
import { artifactPath, CHROMIUM, eventually, hasChromium, launchChromium } from '../helpers/browser-chromium';

if (!hasChromium) console.warn(`demo-shop-flow e2e skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

/**
 * The newcomer's path: `npm start` with nothing configured, then the demo shop in a browser. Everything is the
 * real composition root (background worker on, system clock); only the log is silenced (PAYRELAY_E2E_LOGS=1
 * shows it).
 */
(hasChromium ? describe : describe.skip)('demo shop: order, sandbox checkout, webhook, order written back', () => {
  let dir: string;
  let relay: RelayHandle;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-demo-e2e-'));
    // What `npm start` reads with an empty environment, except a free port, loopback and a throwaway database.
    const config = loadConfig({ PAYRELAY_PORT: '0', PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: path.join(dir, 'payrelay.db') });
    expect(config.shop).toBeNull();
    relay = await startRelay(config, process.env.PAYRELAY_E2E_LOGS ? {} : { logger: silentLogger });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  });
  afterEach(async () => {
    await page?.close();
  });

  /** Fills the demo shop's form, submits it, and returns on the sandbox checkout page. */
  async function placeOrder(amount: string, screenshot?: string): Promise<void> {
    expect(relay.demoShopUrl).toBe(`${relay.url}/demo-shop/`);
    await page.goto(relay.demoShopUrl!);
    await expect(page.textContent('.banner')).resolves.toContain('Demo shop — not a real store');
    await page.fill('input[name=amount]', amount);
    await page.selectOption('select[name=currency]', 'EUR');
    await page.fill('input[name=email]', 'newcomer@example.com');
    await page.fill('input[name=country]', 'NL');
    await page.selectOption('select[name=method]', 'card');
    if (screenshot) await page.screenshot({ path: artifactPath(screenshot), fullPage: true });
    await Promise.all([page.waitForURL(/\/sandbox\/checkout\/ps_[0-9a-f]+$/), page.click('button[type=submit]')]);
    await expect(page.textContent('[data-testid=amount]')).resolves.toBe(`${amount} EUR`);
  }

  /** Clicks one of the sandbox's outcome buttons and returns the order id from the shop's return page. */
  async function clickOnCheckout(button: '#pay' | '#decline'): Promise<string> {
    await Promise.all([page.waitForURL(/\/demo-shop\/order\/\d+\?key=wc_order_/), page.click(button)]);
    const match = /\/demo-shop\/order\/(\d+)\?/.exec(page.url());
    expect(match).not.toBeNull();
    const orderId = match![1];
    await expect(page.locator('[data-testid=order]').count()).resolves.toBe(0); // back in the shop, not the sandbox
    return orderId;
  }

  /** The order as the relay's own WooCommerce client reads it from the demo shop, once it reached `status`. */
  function orderReaches(orderId: string, status: string) {
    return eventually(`order ${orderId} to be ${status}`, async () => {
      const order = await relay.gateway.getOrder(orderId);
      return order.ok && order.value.status === status ? order.value : undefined;
    });
  }

  const ourNotes = async (orderId: string): Promise<string[]> => {
    const notes = await relay.gateway.listNotes(orderId);
    if (!notes.ok) throw new Error(notes.error.message);
    return notes.value.map((n) => n.note).filter((note) => note.includes('[Payrelay ref sandbox:'));
  };

  /** The order's box on the demo shop's front page. */
  const orderBox = (orderId: string) => page.locator('section', { has: page.locator('strong', { hasText: new RegExp(`^Order #${orderId}$`) }) });

  it('Pay: the order becomes processing with the Payrelay payment note, shown on the demo shop page', async () => {
    await placeOrder('24.50', 'demo-shop-order.png');
    const orderId = await clickOnCheckout('#pay');
    // The return page only reports; the webhook (already acknowledged) and the outbox worker change the order.
    await expect(page.textContent('h1')).resolves.toBe(`Order #${orderId}`);

    const order = await orderReaches(orderId, 'processing');
    expect(order.transactionId).toMatch(/^sbx_pay_/);
    const notes = await eventually('the payment note', async () => ((await ourNotes(orderId)).length > 0 ? ourNotes(orderId) : undefined));
    expect(notes).toEqual([expect.stringMatching(/^Payment received at Payrelay Sandbox: 24\.50 EUR, payment sbx_pay_\w+\. \[Payrelay ref sandbox:\S+\]$/)]);

    // The return page shows it too (it refreshes itself while waiting; reload rather than wait for the timer).
    await page.reload();
    await expect(page.textContent('section')).resolves.toContain('Payment confirmed.');

    await page.goto(relay.demoShopUrl!);
    const box = orderBox(orderId);
    await expect(box.locator('.status').textContent()).resolves.toBe('processing');
    await expect(box.textContent()).resolves.toContain('Payment received at Payrelay Sandbox: 24.50 EUR');
    await expect(box.textContent()).resolves.toContain(`transaction ${order.transactionId}`);
    await page.screenshot({ path: artifactPath('demo-shop-paid.png'), fullPage: true });

    // The shop page's own refresh (orders-fragment, every 2 s) keeps showing the same order state.
    const fragment = await (await fetch(`${relay.demoShopUrl}orders-fragment`)).text();
    expect(fragment).toContain('status-processing');
  });

  it('Decline: the order becomes failed with the decline note', async () => {
    await placeOrder('12.00');
    const orderId = await clickOnCheckout('#decline');
    await orderReaches(orderId, 'failed');
    const notes = await eventually('the decline note', async () => ((await ourNotes(orderId)).length > 0 ? ourNotes(orderId) : undefined));
    expect(notes).toEqual([
      expect.stringMatching(/^Payment failed at Payrelay Sandbox: card declined: insufficient funds \(sandbox test card\), payment sbx_pay_\w+\. The customer can try again/),
    ]);

    await page.goto(relay.demoShopUrl!);
    const box = orderBox(orderId);
    await expect(box.locator('.status').textContent()).resolves.toBe('failed');
    await expect(box.textContent()).resolves.toContain('Payment failed at Payrelay Sandbox: card declined');
    await page.screenshot({ path: artifactPath('demo-shop-declined.png'), fullPage: true });
  });

  it('Deliver twice: the second delivery is a duplicate, the order has one Payrelay payment note', async () => {
    await placeOrder('7.25');
    await page.check('input[name=delivery][value=twice]');
    const orderId = await clickOnCheckout('#pay');
    // Both deliveries were acknowledged before the browser was redirected; wait for the worker to finish.
    await orderReaches(orderId, 'processing');
    await eventually('an empty outbox', () => (relay.stores.outbox.counts().pending === 0 ? true : undefined));

    expect(await ourNotes(orderId)).toHaveLength(1);
    const sessions = relay.stores.sessions.listByOrder(orderId);
    expect(sessions).toHaveLength(1);
    // One inbox row: the second delivery carried the same event id and stopped at UNIQUE(provider, event_id).
    expect(relay.db.prepare('SELECT COUNT(*) AS n FROM webhook_events WHERE session_id = ?').get(sessions[0].id)).toEqual({ n: 1 });
    expect(relay.stores.log.listByOrder(orderId).filter((entry) => entry.kind === 'webhook_received')).toHaveLength(1);

    await page.goto(relay.demoShopUrl!);
    const box = orderBox(orderId);
    await expect(box.locator('.status').textContent()).resolves.toBe('processing');
    expect((await box.locator('ol.notes li').allTextContents()).filter((text) => text.includes('Payment received at Payrelay Sandbox'))).toHaveLength(1);
  });
});
