/**
 * `npm run bench:drain`: how fast the relay empties a backlog once the shop is back, against what the shop can take.
 * The shop is the WooCommerce stand-in with a PHP-like capacity (4 workers, a fixed cost per request) in its own
 * process. A backlog of paid events is stored while it is down (nginx answers 502); then it comes back and the
 * relay drains. The yardstick is a plain REST client making only the two writes a payment needs (status, note)
 * to fresh orders of the same shop. Prints ratios and times, never verdicts a test would time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../relay/src/adapters/sqlite/open-database';
import { createSqliteSessionStore } from '../relay/src/adapters/sqlite/sqlite-session-store';
import { createWooCommerceGateway } from '../relay/src/adapters/woocommerce/woocommerce-order-gateway';
import { signSandboxEvent } from '../relay/src/providers/sandbox/sandbox-signature';
import { freePort, startRelayProcess } from '../test/helpers/relay-process';
import { BENCH_SANDBOX_SECRET, benchRelayEnv } from './lib/bench-relay-env';
import type { DrainReport, ShopCommand } from './bench-drain-shop';
import { runLoad } from './load-generator';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** How long the shop stays down after the whole backlog is stored: long enough for the worker to settle into its pause. */
const DOWN_MS = Number(process.env.BENCH_DOWN_MS ?? 6000);
const SECRET = BENCH_SANDBOX_SECRET;

interface Shop {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  workers: number;
  costMs: number;
  ask<T>(command: ShopCommand): Promise<T>;
  child: ChildProcess;
}

async function startShop(): Promise<Shop> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bench-drain-shop.ts')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: process.env });
  const waiting = new Map<number, (value: unknown) => void>();
  let counter = 0;
  const hello = new Promise<Omit<Shop, 'ask' | 'child'>>((resolve) => waiting.set(0, resolve as (value: unknown) => void));
  child.on('message', (message: { id: number; value: unknown }) => {
    waiting.get(message.id)?.(message.value);
    waiting.delete(message.id);
  });
  const info = await hello;
  return {
    ...info,
    child,
    ask: <T>(command: ShopCommand) =>
      new Promise<T>((resolve) => {
        counter += 1;
        waiting.set(counter, resolve as (value: unknown) => void);
        child.send({ id: counter, ...command });
      }),
  };
}

interface Measured {
  perSecond: number;
  perOrder: number;
  report: DrainReport;
}

function measure(report: DrainReport): Measured {
  const seconds = (report.lastWriteAt - report.firstRequestAt) / 1000;
  const total = Object.values(report.requests).reduce((sum, n) => sum + n, 0);
  return { perSecond: ORDERS / seconds, perOrder: total / ORDERS, report };
}

/** The yardstick: PUT status + POST note per order through the relay's own WooCommerce adapter, `concurrency` orders at a time. */
async function plainClient(shop: Shop, concurrency: number): Promise<Measured> {
  const orders = await shop.ask<string[]>({ cmd: 'orders', count: ORDERS });
  const gateway = createWooCommerceGateway({ url: shop.url, consumerKey: shop.consumerKey, consumerSecret: shop.consumerSecret, timeoutMs: 15_000 });
  await shop.ask({ cmd: 'up' });
  const done = shop.ask<DrainReport>({ cmd: 'watch', orders });
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < orders.length) {
        const order = orders[next++];
        const paid = await gateway.updateOrder(order, { set_paid: true, transaction_id: `txn_${order}` });
        const noted = paid.ok && (await gateway.addNote(order, `Payment received. [Payrelay ref plain:${order}]`));
        if (!paid.ok || !noted || !noted.ok) throw new Error(`plain client failed on order ${order}`);
      }
    }),
  );
  return measure(await done);
}

function seedSessions(dbFile: string, orders: string[], prefix: string): void {
  const db = openDatabase(dbFile);
  const sessions = createSqliteSessionStore(db);
  const now = Date.now();
  db.transaction(() => {
    orders.forEach((order, i) => {
      const id = `${prefix}${i}`;
      sessions.insert({
        id, merchantOrderId: order, orderKey: `wc_order_${i}`, provider: 'sandbox', providerSessionId: id, providerPaymentId: null,
        customerEmail: null, customerCountry: null, method: 'card', amountMinor: 1999, currency: 'EUR', status: 'created', refundedMinor: 0,
        livemode: false, checkoutUrl: null, returnUrl: null, cancelUrl: null, statusToken: 'st', createdAt: now, expiresAt: now + 3600_000, updatedAt: now,
        idempotencyKey: null, attempt: 1,
      });
    });
  })();
  db.close();
}

/** A backlog of paid events stored while the shop is down, then the shop comes back and the relay drains it. */
async function relayDrain(shop: Shop, round: number): Promise<Measured & { storedMs: number }> {
  const orders = await shop.ask<string[]>({ cmd: 'orders', count: ORDERS });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-drain-'));
  const dbFile = path.join(dir, 'relay.db');
  const prefix = `ps_d${round}_`;
  seedSessions(dbFile, orders, prefix);
  await shop.ask({ cmd: 'down' });
  const port = await freePort();
  const relay = startRelayProcess(benchRelayEnv(port, dbFile, shop, { PAYRELAY_RECONCILE_INTERVAL_MS: '0' }), { inherit: true });
  await relay.listening;
  const now = Date.now();
  const events = orders.map((_, i) => {
    const body = JSON.stringify({ id: `sbx_evt_${prefix}${i}`, type: 'payment.paid', session_id: `${prefix}${i}`, payment_id: `sbx_pay_${prefix}${i}`, amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(now / 1000) });
    return { path: '/webhooks/sandbox', headers: { 'content-type': 'application/json', 'payrelay-sandbox-signature': signSandboxEvent(SECRET, body, now) }, body };
  });
  const stored = await runLoad(port, events, 20);
  if (stored.ok !== ORDERS) throw new Error(`only ${stored.ok} of ${ORDERS} webhooks were acknowledged`);
  await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
  const done = shop.ask<DrainReport>({ cmd: 'watch', orders });
  await shop.ask({ cmd: 'up' });
  const report = await done;
  await new Promise<void>((resolve) => {
    relay.child.once('exit', () => resolve());
    relay.child.kill('SIGTERM');
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...measure(report), storedMs: stored.seconds * 1000 };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values: number[], digits = 2): string =>
  values.length === 1 ? values[0].toFixed(digits) : `median of ${values.length} ${median(values).toFixed(digits)}, rounds ${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
const requestMix = (m: Measured) =>
  Object.entries(m.report.requests)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${(n / ORDERS).toFixed(2)}`)
    .join(', ');

async function main(): Promise<void> {
  const shop = await startShop();
  const concurrency = 2 * shop.workers;
  console.log(
    `Payrelay drain benchmark: ${ORDERS} paid events, a shop with ${shop.workers} PHP workers at ${shop.costMs} ms a request, ` +
      `down ${DOWN_MS / 1000} s after the backlog is stored; relay worker concurrency ${process.env.PAYRELAY_WORKER_CONCURRENCY ?? 'default'}; ${os.cpus().length} cores\n`,
  );
  const ratios: number[] = [];
  const firstWrites: number[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    // The yardstick before and after the drain, so drift on a shared machine hits both sides.
    const before = await plainClient(shop, concurrency);
    const drain = await relayDrain(shop, round);
    const after = await plainClient(shop, concurrency);
    const plain = (before.perSecond + after.perSecond) / 2;
    ratios.push(drain.perSecond / plain);
    firstWrites.push(drain.report.firstWriteAt - drain.report.upAt);
    console.log(`round ${round}:`);
    console.log(`  plain client (${concurrency} orders at a time): ${before.perSecond.toFixed(1)} and ${after.perSecond.toFixed(1)} orders/s; per order: ${requestMix(before)}`);
    console.log(`  relay drain: backlog stored in ${(drain.storedMs / 1000).toFixed(2)} s; ${drain.report.refusedWhileDown} requests refused while down; ${drain.perSecond.toFixed(1)} orders/s`);
    console.log(`    per order: ${requestMix(drain)}`);
    console.log(`    shop back → first request ${drain.report.firstRequestAt - drain.report.upAt} ms, first write ${drain.report.firstWriteAt - drain.report.upAt} ms, last write ${((drain.report.lastWriteAt - drain.report.upAt) / 1000).toFixed(2)} s`);
    console.log(`  ratio relay drain / plain client: ${ratios[round - 1].toFixed(2)}`);
  }
  shop.child.kill('SIGTERM');
  console.log(`\nratio relay drain / plain client:  ${spread(ratios)}  (target >= 0.9)`);
  console.log(`shop back → first write, ms:       ${spread(firstWrites, 0)}  (target <= 1000)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
