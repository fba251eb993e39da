import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { artifactPath, hasChromium, launchChromium } from '../helpers/browser-chromium';
import { OPS_SHOP_SECRET, startOpsRelay, type OpsRelay } from '../helpers/ops-relay';

/**
 * The classic checkout offers exactly the methods the relay can route for the cart. A real relay runs with routing
 * rules that leave some methods out (wallet only through PayPal, which is not configured; bank transfer only for
 * the Netherlands; crypto only up to 50 EUR); the plugin's own PHP renders the checkout's payment list, asking that
 * relay over HTTP (tests/render-checkout.php), and Chromium reads the radio buttons a shopper would see.
 * Screenshots: test-artifacts/checkout-methods-<cart>.png.
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
if (!hasChromium || !hasPhp) console.warn('checkout methods test skipped: needs /usr/bin/chromium and php');

const ROOT = path.resolve(__dirname, '..', '..');
const execFileAsync = promisify(execFile);

const ROUTES = [
  { name: 'cards', match: { methods: ['card'] }, providers: ['sandbox'] },
  { name: 'wallets through PayPal only', match: { methods: ['wallet'] }, providers: ['paypal'] },
  { name: 'bank payments in the Netherlands', match: { methods: ['bank_transfer'], countries: ['NL'] }, providers: ['sandbox'] },
  { name: 'small crypto payments', match: { methods: ['crypto'], max_amount: 5000 }, providers: ['sandbox'] },
];

interface Cart {
  name: string;
  country: string;
  total: string;
  relay_url?: string;
}

const CARTS: Cart[] = [
  { name: 'nl-small', country: 'NL', total: '19.99' },
  { name: 'de-small', country: 'DE', total: '19.99' },
  { name: 'nl-large', country: 'NL', total: '250.00' },
  { name: 'de-large', country: 'DE', total: '250.00' },
];

interface Rendered {
  file: string;
  name: string;
  available: boolean;
  relay_requests: string[];
}

run('classic checkout methods in Chromium', () => {
  let h: OpsRelay;
  let dir: string;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let rendered: Map<string, Rendered>;

  beforeAll(async () => {
    h = await startOpsRelay({ PAYRELAY_ROUTES: JSON.stringify(ROUTES) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-checkout-'));
    const carts: Cart[] = [...CARTS, { name: 'relay-down', country: 'NL', total: '19.99', relay_url: 'http://127.0.0.1:9' }];
    // Asynchronously: the relay answering the PHP runs in this process.
    await execFileAsync('php', [path.join(ROOT, 'wp-plugin/tests/render-checkout.php'), dir, h.relay.url, OPS_SHOP_SECRET, JSON.stringify(carts)]);
    const index: Rendered[] = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    rendered = new Map(index.map((page) => [page.name, page]));
    server = http.createServer((req, res) => {
      const file = path.join(dir, path.basename(req.url ?? ''));
      if (!fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await h?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the relay says for this cart, asked by the test itself. */
  async function routableFor(cart: Cart): Promise<string[]> {
    const amount = Math.round(Number(cart.total) * 100);
    const answer = await h.signed('GET', `/v1/methods?currency=EUR&country=${cart.country}&amount=${amount}`);
    expect(answer.status).toBe(200);
    return answer.body.methods.filter((m: { routable: boolean }) => m.routable).map((m: { method: string }) => m.method);
  }

  it.each(CARTS)('offers exactly the routable methods for $name', async (cart) => {
    const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    try {
      const routable = await routableFor(cart);
      expect(routable).not.toContain('wallet');
      await page.goto(`${base}/${cart.name}.html`);
      const radios = await page.$$eval('.payment_box.payment_method_payrelay input[name="payrelay_method"]', (inputs) =>
        inputs.map((input) => {
          // No DOM types in this project's tsconfig: the element as the browser has it.
          const field = input as unknown as { value: string; type: string; offsetParent: unknown };
          return { value: field.value, type: field.type, visible: field.offsetParent !== null };
        }));
      if (routable.length > 1) {
        expect(radios.map((r) => r.value)).toEqual(routable);
        expect(radios.every((r) => r.type === 'radio' && r.visible)).toBe(true);
        // The first one is chosen, so placing the order without a click sends a routable method.
        expect(await page.isChecked(`.payment_method_payrelay input[value="${routable[0]}"]`)).toBe(true);
      } else {
        expect(radios).toEqual([{ value: routable[0], type: 'hidden', visible: false }]);
      }
      // The plugin asked the relay for this very cart.
      expect(rendered.get(cart.name)!.relay_requests).toEqual([`${h.relay.url}/v1/methods?currency=EUR&country=${cart.country}&amount=${Math.round(Number(cart.total) * 100)}`]);
      await page.screenshot({ path: artifactPath(`checkout-methods-${cart.name}.png`), fullPage: true });
    } finally {
      await page.close();
    }
  }, 30_000);

  it('the routing rules leave different methods out for different carts', async () => {
    expect(await routableFor(CARTS[0]!)).toEqual(['card', 'bank_transfer', 'crypto']);
    expect(await routableFor(CARTS[1]!)).toEqual(['card', 'crypto']);
    expect(await routableFor(CARTS[2]!)).toEqual(['card', 'bank_transfer']);
    expect(await routableFor(CARTS[3]!)).toEqual(['card']);
  });

  it('with the relay unreachable, the gateway is not offered and the shop\'s other method is chosen', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    try {
      await page.goto(`${base}/relay-down.html`);
      expect(rendered.get('relay-down')!.available).toBe(false);
      expect(await page.$$eval('input[name="payment_method"]', (inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).toEqual(['cod']);
      expect(await page.isChecked('#payment_method_cod')).toBe(true);
      await page.screenshot({ path: artifactPath('checkout-methods-relay-down.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 30_000);
});
