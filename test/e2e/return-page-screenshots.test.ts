import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, eventually, hasChromium, launchChromium } from '../helpers/browser-chromium';

/**
 * The plugin's thank-you page in every return-page state, rendered by the plugin's own PHP (over its test doubles,
 * inside WooCommerce 8.9's thankyou.php skeleton) and looked at in Chromium: one visible headline, the pay link only
 * where the order can be paid, and, after a retry, the page following the new attempt without a reload.
 * Screenshots: test-artifacts/return-page-<state>.png.
 */
const hasPhp = (() => {
  try {
    execFileSync('php', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const run = hasChromium && hasPhp ? describe : describe.skip;
if (!hasChromium || !hasPhp) console.warn('return-page screenshots skipped: needs /usr/bin/chromium and php');

const ROOT = path.resolve(__dirname, '..', '..');
const PAYABLE = new Set(['not_paid', 'abandoned', 'failed', 'expired']);

interface Rendered {
  file: string;
  expected: string;
  state: string;
  order_status: string;
  payment: string | null;
  /** What the shop's poll answers for this page while nothing changes. */
  answer: Record<string, unknown>;
}

run('return page in Chromium', () => {
  let dir: string;
  let pages: Rendered[];
  let server: http.Server;
  let base: string;
  let browser: Browser;
  /** What the shop answers the page's poll, one answer per poll (the last one repeats). */
  let answers: Array<Record<string, unknown>> = [];
  let polls = 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-return-'));
    execFileSync('php', [path.join(ROOT, 'wp-plugin/tests/render-return-pages.php'), dir]);
    pages = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    server = http.createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/ajax') {
        const answer = answers[Math.min(polls, answers.length - 1)] ?? { state: 'confirming', final: false };
        polls += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ success: true, data: answer }));
        return;
      }
      const file = req.url === '/return-page.js'
        ? path.join(ROOT, 'wp-plugin/assets/js/return-page.js')
        : path.join(dir, path.basename(req.url ?? ''));
      if (!fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8' });
      res.end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function visibleHeadlines(page: Page): Promise<string[]> {
    return page.$$eval('[data-payrelay-headline], .woocommerce-thankyou-order-failed', (nodes) =>
      nodes.filter((node) => (node as unknown as { offsetParent: unknown }).offsetParent !== null).map((node) => (node.textContent ?? '').trim()));
  }

  it('renders every state of the table', () => {
    const states = new Set(pages.map((p) => p.state));
    for (const state of ['confirmed', 'paid_updating', 'paid_after_cancel', 'on_hold_paid', 'confirming', 'review_pending', 'review', 'not_paid', 'abandoned', 'failed', 'expired', 'cancelled', 'on_hold', 'refunded', 'order_refunded', 'order_received']) {
      expect(states).toContain(state);
    }
  });

  it('shows one headline and a pay link only where the order can be paid, in each state (screenshots)', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    try {
      for (const rendered of pages.filter((p) => p.file !== 'retry-after-failed.html')) {
        answers = [rendered.answer];
        polls = 0;
        await page.goto(`${base}/${rendered.file}`);
        expect(rendered.state).toBe(rendered.expected);
        expect(await page.getAttribute('.payrelay-return', 'data-payrelay-state')).toBe(rendered.state);
        const headlines = await visibleHeadlines(page);
        expect({ state: rendered.state, headlines: headlines.length }).toEqual({ state: rendered.state, headlines: 1 });
        expect(headlines[0]).not.toBe('');
        expect(await page.isVisible('.payrelay-return__pay a')).toBe(PAYABLE.has(rendered.state));
        await page.screenshot({ path: artifactPath(`return-page-${rendered.state}.png`), fullPage: true });
      }
    } finally {
      await page.close();
    }
  }, 60_000);

  it('after a declined first attempt, follows the retry to "confirmed" without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    try {
      // Until the webhook of the retry arrives, the shop answers what the page first showed.
      answers = [pages.find((p) => p.file === 'retry-after-failed.html')!.answer];
      polls = 0;
      let loads = 0;
      page.on('load', () => { loads += 1; });
      await page.goto(`${base}/retry-after-failed.html`);
      expect(await page.getAttribute('.payrelay-return', 'data-payrelay-state')).toBe('confirming');
      expect(await visibleHeadlines(page)).toEqual(['Thank you. We are confirming your payment.']);
      await page.screenshot({ path: artifactPath('return-page-retry-1-confirming.png'), fullPage: true });

      // The retry's webhook reaches the relay (paid), then the shop (the order moves to processing).
      answers = [
        { state: 'paid_updating', headline: 'Thank you. Your payment is confirmed.', message: 'We are updating your order; this page refreshes by itself.', final: false, pay_url: '' },
        { state: 'confirmed', headline: 'Thank you. Your payment is confirmed.', message: 'We have sent you an email with the details of your order.', final: true, pay_url: '' },
      ];
      polls = 0;

      await eventually('the page to show the confirmed retry', async () =>
        (await page.getAttribute('.payrelay-return', 'data-payrelay-state')) === 'confirmed' ? true : undefined);
      expect(await visibleHeadlines(page)).toEqual(['Thank you. Your payment is confirmed.']);
      expect(await page.textContent('.payrelay-return__message')).toBe('We have sent you an email with the details of your order.');
      expect(await page.isVisible('.payrelay-return__pay a')).toBe(false);
      expect(await page.isVisible('.woocommerce-thankyou-order-failed')).toBe(false);
      await page.screenshot({ path: artifactPath('return-page-retry-2-confirmed.png'), fullPage: true });

      // Final: the page stops asking, and it never reloaded.
      const after = polls;
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(polls).toBe(after);
      expect(loads).toBe(1);
    } finally {
      await page.close();
    }
  }, 60_000);
});
