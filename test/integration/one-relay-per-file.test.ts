import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../relay/src/adapters/sqlite/open-database';
import { createSqliteStores } from '../../relay/src/adapters/sqlite/sqlite-stores';
import { silentLogger } from '../../relay/src/adapters/winston-logger';
import type { OrderGateway } from '../../relay/src/ports/order-gateway';
import { createOutboxWorker } from '../../relay/src/worker/outbox-worker';
import { eventually } from '../helpers/browser-chromium';
import { startHarness, type Harness } from '../helpers/relay-harness';
import { freePort, startRelayProcess } from '../helpers/relay-process';

/**
 * Issue 12 item 10: two relays on one SQLite file (a rolling deploy, a second `npm start`) must not both run the
 * outbox. A second relay refuses to start and says who holds the file; a worker's claim is a lease, so another
 * worker never runs a command in hand, and takes it over (once) when the first one died.
 */
describe('one relay per database file', () => {
  it('a second relay on the same file refuses to start and names the holder; once the first is gone, the file is free again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-lock-'));
    const dbFile = path.join(dir, 'relay.db');
    const env = async () => ({ PAYRELAY_PORT: String(await freePort()), PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: dbFile, PAYRELAY_LOG_LEVEL: 'error' });
    const first = startRelayProcess(await env(), { inherit: true });
    try {
      await first.listening;
      const second = startRelayProcess(await env(), { inherit: true });
      expect(await second.exited).toBe(1);
      const message = second.out.stderr;
      expect(message).toContain(`another relay is using the database ${dbFile}: pid ${first.child.pid} on ${os.hostname()}, running since 20`);
      expect(message).toMatch(/last heartbeat \d+ s ago/);
      expect(second.out.stdout).not.toContain('Payrelay listening');

      // Stopped cleanly: the lock is released and the next relay starts.
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      const third = startRelayProcess(await env(), { inherit: true });
      await third.listening;
      // Killed without a chance to let go: on the same host a dead holder is taken over at once.
      third.child.kill('SIGKILL');
      await third.exited;
      const fourthEnv = await env();
      const fourth = startRelayProcess(fourthEnv, { inherit: true });
      await fourth.listening;
      // Answered on a later turn of its event loop than the banner, so its SIGTERM handler is in place by then.
      expect((await fetch(`http://127.0.0.1:${fourthEnv.PAYRELAY_PORT}/healthz`)).status).toBe(200);
      fourth.child.kill('SIGTERM');
      expect(await fourth.exited).toBe(0);
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  describe('outbox leases', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness();
    });
    afterEach(async () => {
      await h.close();
    });

    it('a worker that dies mid-command keeps it from others until its lease runs out; then another takes over: every event applied once, one note each', async () => {
      const sessions = Array.from({ length: 5 }, () => h.seed());
      for (const session of sessions) expect((await h.send(session, 'paid')).status).toBe(200);

      // Worker A, on its own connection, writes each order and its note, then dies before it can say so.
      const db = openDatabase(h.dbFile);
      const stores = createSqliteStores(db);
      const real = h.relay.gateway;
      const dying: OrderGateway = { ...real, getOrder: (id) => real.getOrder(id), updateOrder: (id, fields) => real.updateOrder(id, fields), addNote: async (id, note) => {
        await real.addNote(id, note);
        return new Promise(() => {});
      } } as OrderGateway;
      const workerA = createOutboxWorker(
        { gateway: dying, providers: h.relay.providers, stores, unitOfWork: stores.unitOfWork, clock: h.clock, livemode: false, logger: silentLogger },
        { policy: { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000 }, concurrency: 5, pollMs: 50, owner: 'worker-A', leaseMs: 60_000 },
      );
      void workerA.runOnce();
      await eventually('worker A wrote every note', () => (sessions.every((s) => h.ourNotes(s.merchantOrderId).length === 1) ? true : undefined));

      // The relay's own worker sees every command in A's hands: it runs none of them while the lease holds.
      const shopCalls = h.shop.requests.length;
      expect(await h.relay.worker.runOnce()).toBe(0);
      expect(h.shop.requests.length).toBe(shopCalls);
      h.clock.advance(59_000);
      expect(await h.relay.worker.runOnce()).toBe(0);

      // The lease runs out: taken over, and the retry finds A's notes instead of writing them again.
      h.clock.advance(2_000);
      await h.drain();
      for (const session of sessions) {
        expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
        expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
      }
      expect(h.relay.stores.outbox.counts()).toMatchObject({ pending: 0, dead: 0 });
      db.close();
    });

    it('a worker that stalls past its lease while another takes the order over and writes it: its late failure is dropped (no dead letter, no alert)', async () => {
      const session = h.seed();
      await h.send(session, 'paid');
      const db = openDatabase(h.dbFile);
      const stores = createSqliteStores(db);
      // Worker A reads the order only after the lease ran out, and then gets an answer it gives up on.
      let answer!: () => void;
      const late = new Promise<void>((resolve) => (answer = resolve));
      const stalled: OrderGateway = {
        ...h.relay.gateway,
        getOrder: async () => {
          await late;
          return { ok: false, error: { kind: 'permanent', code: 'woocommerce_rest_shop_order_invalid_id', message: 'Invalid ID.', httpStatus: 400 } };
        },
      };
      const workerA = createOutboxWorker(
        { gateway: stalled, providers: h.relay.providers, stores, unitOfWork: stores.unitOfWork, clock: h.clock, livemode: false, logger: silentLogger },
        { policy: { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000 }, concurrency: 1, pollMs: 50, owner: 'worker-A', leaseMs: 60_000 },
      );
      const runningA = workerA.runOnce();
      await eventually('worker A holds the command', () => (h.sql.get("SELECT lease_owner FROM outbox WHERE lease_owner = 'worker-A'") ? true : undefined));

      h.clock.advance(61_000);
      await h.drain();
      expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
      answer();
      await runningA;
      expect(h.relay.stores.outbox.counts()).toEqual({ pending: 0, dead: 0 });
      expect(h.relay.stores.outbox.countDone()).toBe(1);
      expect(h.relay.stores.alerts.listOpen(100).filter((alert) => alert.code === 'dead_letter')).toEqual([]);
      expect(h.sql.get("SELECT COUNT(*) AS n FROM payment_log WHERE kind = 'order_update_failed'")).toEqual({ n: 0 });
      db.close();
    });

    it('a worker that stalls past its lease while another takes the order over and writes it: when it wakes it writes nothing (one note, not two)', async () => {
      const session = h.seed();
      await h.send(session, 'paid');
      const db = openDatabase(h.dbFile);
      const stores = createSqliteStores(db);
      // Worker A's read of the order comes back only after the lease ran out and another worker wrote the order.
      let answer!: () => void;
      const late = new Promise<void>((resolve) => (answer = resolve));
      const real = h.relay.gateway;
      const writesByA: string[] = [];
      const stalled: OrderGateway = {
        ...real,
        getOrder: async (id) => {
          const order = await real.getOrder(id);
          await late;
          return order;
        },
        updateOrder: (id, fields) => (writesByA.push('update'), real.updateOrder(id, fields)),
        addNote: (id, note) => (writesByA.push('note'), real.addNote(id, note)),
      };
      const workerA = createOutboxWorker(
        { gateway: stalled, providers: h.relay.providers, stores, unitOfWork: stores.unitOfWork, clock: h.clock, livemode: false, logger: silentLogger },
        { policy: { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000 }, concurrency: 1, pollMs: 50, owner: 'worker-A', leaseMs: 60_000 },
      );
      const runningA = workerA.runOnce();
      await eventually('worker A holds the command', () => (h.sql.get("SELECT lease_owner FROM outbox WHERE lease_owner = 'worker-A'") ? true : undefined));

      h.clock.advance(61_000);
      await h.drain();
      expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
      answer();
      await runningA;
      expect(writesByA).toEqual([]);
      expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
      expect(h.relay.stores.outbox.counts()).toEqual({ pending: 0, dead: 0 });
      expect(h.relay.stores.outbox.countDone()).toBe(1);
      db.close();
    });

    it('two workers that see the same command due: one claims it, the other gets nothing', async () => {
      const session = h.seed();
      await h.send(session, 'paid');
      const [item] = h.relay.stores.outbox.claimDue(h.clock.now(), 10);
      const now = h.clock.now();
      expect(h.relay.stores.outbox.markAttempt(item.id, now, { owner: 'A', until: now + 60_000 })).toBe(true);
      expect(h.relay.stores.outbox.markAttempt(item.id, now, { owner: 'B', until: now + 60_000 })).toBe(false);
      expect(h.relay.stores.outbox.claimDue(now, 10)).toEqual([]);
      expect(h.relay.stores.outbox.nextDueAt(now)).toBe(now + 60_000);
      // A's outcome clears the lease; B's late bookkeeping on a command it never held would have been dropped.
      h.relay.stores.outbox.markRetry(item.id, now, 'x', now, 'B');
      expect(h.relay.stores.outbox.claimDue(now, 10)).toEqual([]);
      h.relay.stores.outbox.markRetry(item.id, now, 'x', now, 'A');
      expect(h.relay.stores.outbox.claimDue(now, 10).map((i) => i.id)).toEqual([item.id]);
    });
  });
});
