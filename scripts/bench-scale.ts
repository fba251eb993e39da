/**
 * `npm run bench:scale` (issue 10): does the relay slow down as its store fills up, and does pruning hurt the
 * webhooks that arrive meanwhile? In one run, interleaved round by round so machine noise hits both sides:
 *
 * - ingest throughput and p99 ack of a relay on an empty store against one on a store already holding a million
 *   events (their orders' sessions, log lines and finished shop writes too; scripts/lib/seed-store.ts);
 * - p99 ack on that store while `npm run prune` removes a month of old data, against the same without a prune.
 *
 * The same signed webhooks over HTTP as `npm run bench` (scripts/load-generator.ts), WooCommerce up (a stand-in
 * answering in 0.2 s in its own process). Prints ratios, never verdicts: these machines are shared and noisy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../relay/src/adapters/sqlite/open-database';
import { createSqliteSessionStore } from '../relay/src/adapters/sqlite/sqlite-session-store';
import { signSandboxEvent } from '../relay/src/providers/sandbox/sandbox-signature';
import { freePort, startRelayProcess } from '../test/helpers/relay-process';
import { BENCH_SANDBOX_SECRET, benchRelayEnv } from './lib/bench-relay-env';
import { seedStore } from './lib/seed-store';
import { percentile, runLoad, type LoadRequest, type LoadResult } from './load-generator';

const STORED_EVENTS = Number(process.env.BENCH_SCALE_EVENTS ?? 1_000_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP = 1_000;
/** BENCH_SCALE_PRUNE=0: the throughput and p99 of full against empty only, without the prune rounds (minutes each). */
const WITH_PRUNE = process.env.BENCH_SCALE_PRUNE !== '0';
/**
 * BENCH_SCALE_SEEDED=<file>: keep the seeded store there (seeded on the first run) and start each run from a copy
 * of it: copying 1.9 GB takes seconds, seeding a million events a minute or two. Its times are those of its
 * seeding; a few days' shift does not move what a prune of 150 days removes. Delete the file when done.
 */
const SEEDED_COPY = process.env.BENCH_SCALE_SEEDED;
const SECRET = BENCH_SANDBOX_SECRET;
const DAY = 24 * 3600_000;
/** The stored events span these days before now; a prune keeping PRUNE_KEEP_DAYS removes the oldest month. */
const OLDEST_DAY = 180;
const NEWEST_DAY = 1;
const PRUNE_KEEP_DAYS = 150;
const SLICE_EVENTS = Math.round((STORED_EVENTS * (OLDEST_DAY - PRUNE_KEEP_DAYS)) / (OLDEST_DAY - NEWEST_DAY));

/**
 * Copies a store the way SQLite itself writes one, a 4 KiB page per write. Not fs.copyFileSync: its large writes
 * leave the copy in the page cache as large folios (kernel 6.18, ext4: ~100 KiB each), and then every 4 KiB page
 * a checkpoint writes back at a random place makes the kernel write the whole folio: 2.1 GB written by the
 * checkpoint thread for 11,000 webhooks against 73 MB on a store the relay grew itself. That is a freshly restored
 * file, not a running relay's (see "Disk writes on a big store" in the README).
 */
function copyInPages(from: string, to: string): void {
  const PAGE = 4096;
  const source = fs.openSync(from, 'r');
  const target = fs.openSync(to, 'w');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (let offset = 0; ; offset += chunk.length) {
      const read = fs.readSync(source, chunk, 0, chunk.length, offset);
      for (let at = 0; at < read; at += PAGE) fs.writeSync(target, chunk, at, Math.min(PAGE, read - at), offset + at);
      if (read < chunk.length) break;
    }
    fs.fdatasyncSync(target);
  } finally {
    fs.closeSync(source);
    fs.closeSync(target);
  }
}

interface Relay {
  port: number;
  stop: () => Promise<void>;
}

async function startRelay(dbFile: string, shop: { url: string; consumerKey: string; consumerSecret: string }): Promise<Relay> {
  const port = await freePort();
  const relay = startRelayProcess(benchRelayEnv(port, dbFile, shop, { WC_TIMEOUT_MS: '2000' }), { inherit: true });
  await relay.listening;
  return {
    port,
    stop: async () => {
      relay.child.kill('SIGTERM');
      await relay.exited;
    },
  };
}

/**
 * Open sessions for the webhooks a round sends, with random ids like the relay's own, for the shop's next orders:
 * WooCommerce numbers orders in sequence, so new orders' log lines and shop writes go at the end of their indexes,
 * as they do in a shop (random order numbers made each webhook write three more index pages at random places).
 */
function seedSessions(dbFile: string, count: number): string[] {
  const db = openDatabase(dbFile);
  const sessions = createSqliteSessionStore(db);
  const now = Date.now();
  const lastOrder = (db.prepare('SELECT MAX(CAST(merchant_order_id AS INTEGER)) AS n FROM payment_sessions').get() as { n: number | null }).n ?? 100_000;
  const ids = Array.from({ length: count }, () => `ps_${crypto.randomBytes(12).toString('hex')}`);
  db.transaction(() => {
    ids.forEach((id, i) =>
      sessions.insert({
        id, merchantOrderId: String(lastOrder + 1 + i), orderKey: `wc_order_${i}`, provider: 'sandbox', providerSessionId: id, providerPaymentId: null,
        customerEmail: null, customerCountry: null, method: 'card', amountMinor: 1999, currency: 'EUR', status: 'created', refundedMinor: 0,
        livemode: false, checkoutUrl: null, returnUrl: null, cancelUrl: null, statusToken: 'st', createdAt: now, expiresAt: now + 3600_000, updatedAt: now,
        idempotencyKey: null, attempt: 1,
      }),
    );
  })();
  db.close();
  return ids;
}

/** A payment.paid per session, signed now, with a random event id as a provider sends it. */
function webhooksFor(sessionIds: string[]): LoadRequest[] {
  const now = Date.now();
  return sessionIds.map((sessionId) => {
    const body = JSON.stringify({ id: `sbx_evt_${crypto.randomBytes(12).toString('hex')}`, type: 'payment.paid', session_id: sessionId, payment_id: `sbx_pay_${sessionId.slice(3)}`, amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(now / 1000) });
    return { path: '/webhooks/sandbox', headers: { 'content-type': 'application/json', 'payrelay-sandbox-signature': signSandboxEvent(SECRET, body, now) }, body };
  });
}

const load = (relay: Relay, requests: LoadRequest[]): Promise<LoadResult> => runLoad(relay.port, requests, CONCURRENCY);

interface PruneRun {
  result: LoadResult;
  /** p99 ack of the requests sent while the prune process ran. */
  p99: number;
  /** How many of the requests were sent while it ran. */
  covered: number;
  seconds: number;
  output: string;
}

/** `npm run prune` as the operator's cron runs it, beside the relay, while the load runs. */
async function loadWhilePruning(relay: Relay, dbFile: string, requests: LoadRequest[]): Promise<PruneRun> {
  const oldest = new Database(dbFile, { readonly: true });
  const oldestAt = () => (oldest.prepare('SELECT MIN(received_at) AS at FROM webhook_events').get() as { at: number }).at;
  const before = oldestAt();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'prune.ts')], {
    // The benchmark's file and nothing of the shell's PAYRELAY_*: a PAYRELAY_DATABASE_URL there would send the prune to PostgreSQL.
    env: { PATH: process.env.PATH ?? '', PAYRELAY_DB: dbFile, PAYRELAY_RETENTION_DAYS: String(PRUNE_KEEP_DAYS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let endedAt = Infinity;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { endedAt = performance.now(); resolve(code); }));
  // The load starts with the first batch, not with the process (tsx takes a second or two to start it).
  while (oldestAt() === before && endedAt === Infinity) await new Promise((resolve) => setTimeout(resolve, 10));
  oldest.close();
  const startedAt = performance.now();
  const result = await load(relay, requests);
  const code = await exited;
  if (code !== 0) throw new Error(`prune failed (${code}): ${output}`);
  const during = Array.from(result.latencies).filter((_, i) => result.sentAt[i] < endedAt);
  return { result, p99: percentile(during, 99), covered: during.length, seconds: (endedAt - startedAt) / 1000, output: output.trim() };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values: number[]): string => `median of ${values.length} ${median(values).toFixed(2)}, rounds ${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
const row = (name: string, r: LoadResult, p99 = r.p99) =>
  `${name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(7)} ${r.p50.toFixed(2).padStart(9)} ${p99.toFixed(2).padStart(8)} ${String(r.ok).padStart(6)}`;

async function main(): Promise<void> {
  console.log(`Payrelay scale benchmark: ${ROUNDS} rounds of ${REQUESTS} webhooks, ${CONCURRENCY} concurrent connections, ${os.cpus().length} cores`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-bench-scale-'));
  const fullFile = path.join(dir, 'full.db');
  const seedStart = performance.now();
  const now = Date.now();
  const seed = (file: string) => {
    const seeded = seedStore(file, { events: STORED_EVENTS, fromMs: now - OLDEST_DAY * DAY, toMs: now - NEWEST_DAY * DAY });
    console.log(
      `seeded ${seeded.events} events (${seeded.sessions} sessions, ${seeded.log} log lines, ${seeded.outbox} done shop writes, ${seeded.rejections} rejections) ` +
        `over ${OLDEST_DAY - NEWEST_DAY} days in ${((performance.now() - seedStart) / 1000).toFixed(1)} s: ${(fs.statSync(file).size / 1e9).toFixed(2)} GB`,
    );
  };
  if (SEEDED_COPY) {
    if (!fs.existsSync(SEEDED_COPY)) seed(SEEDED_COPY);
    const copyStart = performance.now();
    copyInPages(SEEDED_COPY, fullFile);
    console.log(`copied the seeded store ${SEEDED_COPY} in ${((performance.now() - copyStart) / 1000).toFixed(1)} s`);
  } else seed(fullFile);
  console.log('');

  const shopProcess = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bench-shop.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const shop = await new Promise<{ url: string; consumerKey: string; consumerSecret: string }>((resolve) => {
    shopProcess.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString())));
  });
  const lines: string[] = [];
  const throughput: number[] = [];
  const p99Full: number[] = [];
  const p99Prune: number[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const emptyFile = path.join(dir, `empty-${round}.db`);
      const emptyRequests = webhooksFor(seedSessions(emptyFile, WARMUP + REQUESTS));
      const emptyRelay = await startRelay(emptyFile, shop);
      await load(emptyRelay, emptyRequests.slice(0, WARMUP));
      const empty = await load(emptyRelay, emptyRequests.slice(WARMUP));
      await emptyRelay.stop();
      fs.rmSync(emptyFile, { force: true });
      fs.rmSync(`${emptyFile}-wal`, { force: true });
      fs.rmSync(`${emptyFile}-shm`, { force: true });

      const fullRequests = webhooksFor(seedSessions(fullFile, WARMUP + 3 * REQUESTS));
      const fullRelay = await startRelay(fullFile, shop);
      await load(fullRelay, fullRequests.slice(0, WARMUP));
      const full = await load(fullRelay, fullRequests.slice(WARMUP, WARMUP + REQUESTS));
      // Which goes first alternates: the second runs on a warmer cache (and, after a prune, a smaller store).
      const quietRequests = fullRequests.slice(WARMUP + REQUESTS, WARMUP + 2 * REQUESTS);
      const pruneRequests = fullRequests.slice(WARMUP + 2 * REQUESTS);
      let quiet: LoadResult;
      let pruning: PruneRun;
      if (!WITH_PRUNE) {
        await fullRelay.stop();
        throughput.push(full.perSecond / empty.perSecond);
        p99Full.push(full.p99 / empty.p99);
        lines.push(row(`r${round} empty store`, empty), row(`r${round} ${STORED_EVENTS / 1e6}M stored`, full));
        console.log(`round ${round}: full/empty throughput ${throughput[round - 1].toFixed(2)}, p99 ${p99Full[round - 1].toFixed(2)}`);
        continue;
      }
      if (round % 2 === 1) {
        quiet = await load(fullRelay, quietRequests);
        pruning = await loadWhilePruning(fullRelay, fullFile, pruneRequests);
      } else {
        pruning = await loadWhilePruning(fullRelay, fullFile, pruneRequests);
        quiet = await load(fullRelay, quietRequests);
      }
      await fullRelay.stop();
      // Put the month the prune removed back, so every round starts from about a million stored events.
      seedStore(fullFile, { events: SLICE_EVENTS, fromMs: now - OLDEST_DAY * DAY, toMs: now - PRUNE_KEEP_DAYS * DAY });

      throughput.push(full.perSecond / empty.perSecond);
      p99Full.push(full.p99 / empty.p99);
      p99Prune.push(pruning.p99 / quiet.p99);
      lines.push(
        row(`r${round} empty store`, empty),
        row(`r${round} ${STORED_EVENTS / 1e6}M stored`, full),
        row(`r${round} ${STORED_EVENTS / 1e6}M stored, no prune`, quiet),
        `${row(`r${round} ${STORED_EVENTS / 1e6}M stored, prune running`, pruning.result, pruning.p99)}   p99 of the ${pruning.covered} sent during the ${pruning.seconds.toFixed(1)} s prune`,
      );
      console.log(
        `round ${round}: full/empty throughput ${throughput[round - 1].toFixed(2)}, p99 ${p99Full[round - 1].toFixed(2)}; ` +
          `p99 prune/no prune ${p99Prune[round - 1].toFixed(2)} (${pruning.output.split('\n')[0]}, ${pruning.seconds.toFixed(1)} s)`,
      );
    }
  } finally {
    shopProcess.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log('\nstore                                req/s     p50 ms   p99 ms   2xx');
  for (const line of lines) console.log(line);
  console.log(`\nthroughput, 1M stored / empty store:   ${spread(throughput)}  (target: median >= 0.90)`);
  console.log(`p99 ack, 1M stored / empty store:      ${spread(p99Full)}`);
  if (WITH_PRUNE) console.log(`p99 ack, prune running / no prune:     ${spread(p99Prune)}  (target ~1: no jump while old data goes)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
