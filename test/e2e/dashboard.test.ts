import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import { loadConfig } from '../../relay/src/config/load-config';
import { startRelay, type RelayHandle } from '../../relay/src/relay';
import { artifactPath, CHROMIUM, eventually, hasChromium, launchChromium } from '../helpers/browser-chromium';
import { startOpsRelay, type OpsRelay } from '../helpers/ops-relay';

if (!hasChromium) console.warn(`dashboard e2e skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

const ADMIN_TOKEN = 'admin_token_for_the_browser_test_0123';

/**
 * The operator's path in a real browser: log in, find an order paid through the sandbox checkout, read its
 * timeline, and retry a dead letter after the shop was fixed. The real relay (worker on, system clock) over the
 * WooCommerce stand-in, whose fault injection makes the dead letter.
 */
(hasChromium ? describe : describe.skip)('relay dashboard in Chromium', () => {
  let ops: OpsRelay;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ops = await startOpsRelay({ PAYRELAY_ADMIN_TOKEN: ADMIN_TOKEN });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 850 } });
  });
  afterAll(async () => {
    await browser?.close();
    await ops?.close();
  });

  /** Opens the sandbox checkout of a new order in the browser and clicks Pay, as a shopper would. */
  async function payInBrowser(): Promise<string> {
    const { orderId, session } = await ops.checkout('24.50');
    await page.goto(session.checkout_url);
    await Promise.all([page.waitForURL(/\/checkout\/order-received\//), page.click('#pay')]);
    return orderId;
  }

  const shopStatus = (orderId: string, status: string) =>
    eventually(`shop order ${orderId} to be ${status}`, () => (ops.shop.orders.getOrder(orderId)?.status === status ? true : undefined));

  test('log in, find the paid order, open its timeline, retry a dead letter and see it applied', async () => {
    const paid = await payInBrowser();
    await shopStatus(paid, 'processing');

    await page.goto(`${ops.relay.url}/admin/`);
    expect(page.url()).toBe(`${ops.relay.url}/admin/login`);
    await page.fill('input[name=token]', 'not_the_token_at_all_000');
    await page.click('button[type=submit]');
    await expect(page.textContent('[data-testid=login-error]')).resolves.toContain('not the admin token');
    await page.fill('input[name=token]', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${ops.relay.url}/admin/`), page.click('button[type=submit]')]);
    const row = page.locator(`tr[data-order="${paid}"]`);
    await expect(row.locator('[data-status]').getAttribute('data-status')).resolves.toBe('paid');
    await page.screenshot({ path: artifactPath('dashboard-sessions.png'), fullPage: true });

    await Promise.all([page.waitForURL(`${ops.relay.url}/admin/orders/${paid}`), row.locator('[data-testid=order-link]').click()]);
    const kinds = await page.locator('[data-testid=timeline] li').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
    expect(kinds).toEqual(expect.arrayContaining(['session_created', 'webhook_received', 'status_changed', 'order_updated']));
    await expect(page.textContent('[data-testid=timeline]')).resolves.toContain('Webhook from Payrelay Sandbox: payment.paid');
    await page.screenshot({ path: artifactPath('dashboard-timeline.png'), fullPage: true });

    // The shop refuses every write to the next order until it is "fixed": the outbox gives up (3 attempts here).
    const { orderId: stuck, session } = await ops.checkout('31.00');
    ops.shop.faults.add({ path: new RegExp(`/orders/${stuck}(/|$)`), fault: { kind: 'status', status: 503 }, count: 1000 });
    await page.goto(session.checkout_url);
    await Promise.all([page.waitForURL(/\/checkout\/order-received\//), page.click('#pay')]);
    await eventually('the write to become a dead letter', () => (ops.relay.stores.outbox.counts().dead > 0 ? true : undefined));
    ops.shop.faults.clear();
    expect(ops.shop.orders.getOrder(stuck)?.status).toBe('pending');

    await page.goto(`${ops.relay.url}/admin/dead-letters`);
    const letter = page.locator('tr[data-dead-letter]').filter({ hasText: `mark shop order ${stuck} paid` });
    await expect(letter.count()).resolves.toBe(1);
    await page.screenshot({ path: artifactPath('dashboard-dead-letters.png'), fullPage: true });
    await Promise.all([page.waitForURL(/done=dead-letter-retried/), letter.locator('[data-testid=retry]').click()]);
    await expect(page.textContent('[data-testid=flash]')).resolves.toContain('queued again');

    await shopStatus(stuck, 'processing');
    await page.goto(`${ops.relay.url}/admin/orders/${stuck}`);
    await expect(page.textContent('[data-testid=timeline]')).resolves.toContain('retried from the dashboard');
    await eventually('the retried write in the timeline', async () => {
      await page.reload();
      const text = (await page.textContent('[data-testid=timeline]')) ?? '';
      return /order updated/.test(text) ? true : undefined;
    });
    await page.goto(`${ops.relay.url}/admin/dead-letters`);
    await expect(page.locator('[data-testid=no-dead-letters]').count()).resolves.toBe(1);
    await page.goto(`${ops.relay.url}/admin/providers`);
    await expect(page.textContent('[data-testid=webhook-urls]')).resolves.toContain(`${ops.relay.url}/webhooks/sandbox`);
    await page.screenshot({ path: artifactPath('dashboard-providers.png'), fullPage: true });
  });
});

/** The newcomer's path: `npm start` with nothing configured, the demo shop, and the dashboard open on this machine. */
(hasChromium ? describe : describe.skip)('demo shop → dashboard in Chromium (sandbox mode, no token)', () => {
  let dir: string;
  let relay: RelayHandle;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-dashboard-e2e-'));
    relay = await startRelay(loadConfig({ PAYRELAY_PORT: '0', PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: path.join(dir, 'payrelay.db') }), { logger: silentLogger });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 850 } });
  });
  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function placeOrder(): Promise<string> {
    await page.goto(relay.demoShopUrl!);
    await page.fill('input[name=amount]', '12.00');
    await page.selectOption('select[name=method]', 'card');
    await Promise.all([page.waitForURL(/\/sandbox\/checkout\/ps_[0-9a-f]+$/), page.click('button[type=submit]')]);
    return (await page.textContent('[data-testid=order]'))!;
  }

  test('an abandoned checkout fast-forwarded to expiry shows as expired, not failed, next to a declined one', async () => {
    const declined = await placeOrder();
    await Promise.all([page.waitForURL(/\/demo-shop\/order\//), page.click('#decline')]);

    const abandoned = await placeOrder();
    await expect(page.textContent('#expire-now')).resolves.toMatch(/Abandon and expire now \(skip the \d+ minutes wait\)/);
    await Promise.all([page.waitForURL(/\/demo-shop\/order\/\d+\?key=.*cancelled=1/), page.click('#expire-now')]);
    await eventually('the expiry note in the shop', async () => {
      await page.reload();
      return ((await page.textContent('ol.notes')) ?? '').includes('expired') ? true : undefined;
    });
    await expect(page.textContent('.status')).resolves.toBe('pending');

    // The order page links to the dashboard, open without a login on this machine.
    await Promise.all([page.waitForURL(`${relay.url}/admin/orders/${abandoned}`), page.click('[data-testid=timeline-link]')]);
    await expect(page.textContent('[data-testid=order-sessions]')).resolves.toContain('expired unpaid: not a decline; the order stays payable');
    await page.goto(`${relay.url}/admin/`);
    await expect(page.locator(`tr[data-order="${abandoned}"] [data-status]`).getAttribute('class')).resolves.toBe('st st-expired');
    await expect(page.locator(`tr[data-order="${declined}"] [data-status]`).getAttribute('class')).resolves.toBe('st st-failed');
    await page.screenshot({ path: artifactPath('dashboard-expired-vs-failed.png'), fullPage: true });
  });
});
