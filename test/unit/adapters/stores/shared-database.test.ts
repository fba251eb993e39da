import type { OutboxCommand } from '../../../../relay/src/ports/outbox-store';
import type { InboxRecord } from '../../../../relay/src/ports/inbox-store';
import { createPostgresOutboxStore, DATABASE_NOW_MS } from '../../../../relay/src/adapters/postgres/postgres-outbox-store';
import { createPostgresOrderLock } from '../../../../relay/src/adapters/postgres/postgres-order-lock';
import { createPostgresFleet, FLEET_LEASE_MS, liveFleetMembers, releaseLeaderLock, tryLeaderLock } from '../../../../relay/src/adapters/postgres/postgres-fleet';
import { createPostgresOpsStore } from '../../../../relay/src/adapters/postgres/postgres-ops-store';
import { createPostgresShopRegistry } from '../../../../relay/src/adapters/postgres/postgres-shop-registry';
import { createSqliteOpsStore } from '../../../../relay/src/adapters/sqlite/sqlite-ops-store';
import { createSqliteShopRegistry } from '../../../../relay/src/adapters/sqlite/sqlite-shop-registry';
import { silentLogger } from '../../../../relay/src/adapters/winston-logger';
import { replayInTransaction } from '../../../../relay/src/app/replay-event';
import type { OrderGateway } from '../../../../relay/src/ports/order-gateway';
import type { ShopRecord } from '../../../../relay/src/ports/shop-registry';
import { createOutboxWorker } from '../../../../relay/src/worker/outbox-worker';
import { fakeProvider } from '../../../helpers/fake-provider';
import { sessionHarness } from '../../../helpers/session-fixtures';
import { openSharedTestDatabase, TEST_STORE, type TestDatabase } from '../../../helpers/test-store';

/** Two relays on one database (two connections): what must hold across them, on either store. */
describe(`${TEST_STORE}: two connections to one database`, () => {
  const now = 1_800_000_000_000;
  const write = (order: string): OutboxCommand => ({ kind: 'order_note', ref: `sandbox:evt_${order}`, sessionId: `ps_${order}`, text: `note ${order}` });
  const event = (id: string): InboxRecord => ({
    provider: 'sandbox', eventId: id, eventType: 'payment.paid', sessionId: 'ps_1', merchantOrderId: '1',
    rawBody: Buffer.from('{"a":1}'), verification: 'signature', outcome: 'applied', receivedAt: now,
  });
  let shared: ReturnType<typeof openSharedTestDatabase>;
  beforeEach(() => (shared = openSharedTestDatabase()));
  afterEach(() => shared.close());
  /** Every lease held now runs out `ms` sooner, as if that long had passed (no waiting in a test). */
  const runLeasesOut = (ms: number) => shared.connections[0].sql.run('UPDATE outbox SET lease_until = lease_until - ? WHERE lease_until IS NOT NULL', ms);

  it('one event delivered to both: one inbox row, the second insert sees the first', () => {
    const [a, b] = shared.connections;
    expect(a.stores.unitOfWork.transaction(() => a.stores.inbox.insertIfNew(event('evt_1')))).toBe(true);
    expect(b.stores.unitOfWork.transaction(() => b.stores.inbox.insertIfNew(event('evt_1')))).toBe(false);
    expect(a.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 1 });
    // The body comes back byte for byte.
    expect(Buffer.from(b.sql.get('SELECT raw_body FROM webhook_events').raw_body).toString()).toBe('{"a":1}');
  });

  it('a command claimed by one worker is not run by the other until its lease runs out, then it is taken over', () => {
    const [a, b] = shared.connections;
    const id = a.stores.outbox.enqueue('7', write('7'), now);
    a.stores.outbox.enqueue('7', write('7b'), now);
    expect(a.stores.outbox.markAttempt(id, now, { owner: 'relay-a', until: now + 10_000 })).toBe(true);
    // One in flight per order: the lease hides the head, and the command behind it waits for it.
    expect(b.stores.outbox.claimDue(now + 1, 10)).toEqual([]);
    expect(b.stores.outbox.markAttempt(id, now + 1, { owner: 'relay-b', until: now + 10_001 })).toBe(false);
    // What a worker asks before each write it makes: the command is still a's, and never b's.
    expect(b.stores.outbox.holdsLease(id, 'relay-a', now + 1)).toBe(true);
    expect(a.stores.outbox.holdsLease(id, 'relay-b', now + 1)).toBe(false);
    // b sleeps until the lease runs out (on PostgreSQL measured by the database's clock, so about then).
    const wake = b.stores.outbox.nextDueAt(now + 1)!;
    expect(wake).toBeGreaterThan(now + 9_000);
    expect(wake).toBeLessThanOrEqual(now + 10_001);
    // Relay a died: after its lease, b takes the command over, and a's late bookkeeping is dropped.
    runLeasesOut(10_000);
    // A lease that ran out is held by nobody, even before another worker takes the command.
    expect(a.stores.outbox.holdsLease(id, 'relay-a', now + 10_000)).toBe(false);
    expect(b.stores.outbox.claimDue(now + 10_000, 10).map((item) => item.id)).toEqual([id]);
    expect(b.stores.outbox.markAttempt(id, now + 10_000, { owner: 'relay-b', until: now + 20_000 })).toBe(true);
    expect(a.stores.outbox.holdsLease(id, 'relay-b', now + 10_000)).toBe(true);
    expect(a.stores.outbox.holdsLease(id, 'relay-a', now + 10_000)).toBe(false);
    a.stores.outbox.markDone(id, now + 10_001, 'relay-a');
    expect(b.stores.outbox.state(id)).toEqual({ state: 'pending', attempts: 2, lastError: null });
    b.stores.outbox.markDone(id, now + 10_002, 'relay-b');
    expect(a.stores.outbox.state(id)?.state).toBe('done');
  });

  it('a worker whose lease was taken over: its late outcome changes nothing, whether the new holder is still at it or already finished', () => {
    const [a, b] = shared.connections;
    const id = a.stores.outbox.enqueue('7', write('7'), now);
    expect(a.stores.outbox.markAttempt(id, now, { owner: 'relay-a', until: now + 10_000 })).toBe(true);
    runLeasesOut(10_000);
    expect(b.stores.outbox.markAttempt(id, now + 10_000, { owner: 'relay-b', until: now + 20_000 })).toBe(true);
    // b's attempt failed and waits to retry; a's late give-up does not turn it into a dead letter.
    expect(b.stores.outbox.markRetry(id, now + 60_000, 'timeout: the shop did not answer', now + 10_001, 'relay-b')).toBe(true);
    expect(a.stores.outbox.markDead(id, 'not_found: gone', now + 10_002, 'relay-a')).toBe(false);
    expect(a.stores.outbox.state(id)).toEqual({ state: 'pending', attempts: 2, lastError: 'timeout: the shop did not answer' });
    // b ran it again and wrote the order: a's late failure or retry leaves it done, with no error on it.
    expect(b.stores.outbox.markAttempt(id, now + 60_000, { owner: 'relay-b', until: now + 70_000 })).toBe(true);
    expect(b.stores.outbox.markDone(id, now + 60_001, 'relay-b')).toBe(true);
    expect(a.stores.outbox.markDead(id, 'not_found: gone', now + 60_002, 'relay-a')).toBe(false);
    expect(a.stores.outbox.markRetry(id, now + 90_000, 'timeout: late', now + 60_003, 'relay-a')).toBe(false);
    expect(a.stores.outbox.markDone(id, now + 60_004, 'relay-a')).toBe(false);
    expect(b.stores.outbox.state(id)).toEqual({ state: 'done', attempts: 3, lastError: null });
    expect(b.stores.outbox.counts()).toEqual({ pending: 0, dead: 0 });
    expect(b.stores.outbox.countDone()).toBe(1);
  });

  it('one coalesced fetch per key, whichever connection queues it', () => {
    const [a, b] = shared.connections;
    const fetch: OutboxCommand = { kind: 'fetch_status', provider: 'mollie', providerPaymentRef: 'tr_1', merchantOrderId: '7' };
    const first = a.stores.outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now);
    expect(b.stores.outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now)).toEqual({ kind: 'already_queued', id: first.id });
    b.stores.outbox.markAttempt(first.id, now);
    expect(a.stores.outbox.enqueueCoalesced('fetch:tr_1', '7', fetch, now)).toEqual({ kind: 'rerun_requested', id: first.id });
  });

  /**
   * The race window of a check-then-write: connection a is inside its transaction (checked and written, not yet
   * committed) when b does the same. Connection b must wait for a, not pass the check against a's invisible row; in
   * one test thread that wait is cut short (SQLite's busy timeout, PostgreSQL's lock_timeout) and shows as a throw.
   */
  const waitsShort = (db: TestDatabase): void => {
    if (db.pg) db.pg.exec('SET lock_timeout = 100');
    else db.sqlite!.pragma('busy_timeout = 100');
  };
  const inTransaction = (db: TestDatabase, work: () => void): void => {
    if (db.pg) db.pg.transaction(work);
    else db.sqlite!.transaction(work).immediate();
  };
  const LOCK_WAIT = /lock timeout|database is locked/;

  it('two shops added at once with one shop secret: the second waits for the first, then is refused', () => {
    const [a, b] = shared.connections;
    const registryOf = (db: TestDatabase) => (db.pg ? createPostgresShopRegistry(db.pg) : createSqliteShopRegistry(db.sqlite!));
    const shop = (id: string): ShopRecord => ({ id, wcUrl: `https://${id}.example`, shopSecret: 'one_secret_for_two_shops_0123456789', settings: {}, createdAt: now });
    waitsShort(b);
    inTransaction(a, () => {
      expect(registryOf(a).add(shop('alpha'))).toBe('added');
      expect(() => registryOf(b).add(shop('beta'))).toThrow(LOCK_WAIT);
    });
    expect(registryOf(b).add(shop('beta'))).toBe('secret_taken');
    expect(registryOf(b).add({ ...shop('alpha'), shopSecret: 'another_secret_of_another_shop_0123' })).toBe('id_taken');
    expect(registryOf(a).list().map((s) => s.id)).toEqual(['alpha']);
  });

  it('one event replayed from both at once (a dashboard, a tool): one set of copies, one log entry', () => {
    const [a, b] = shared.connections;
    const opsOf = (db: TestDatabase) => (db.pg ? createPostgresOpsStore(db.pg) : createSqliteOpsStore(db.sqlite!));
    a.stores.inbox.insertIfNew({ ...event('evt_replayed'), merchantOrderId: '9' });
    const original = a.stores.outbox.enqueue('9', { kind: 'order_note', ref: 'sandbox:evt_replayed', sessionId: null, text: 'paid' }, now);
    a.stores.outbox.markDone(original, now);
    const stored = opsOf(a).storedEventsByEventId('evt_replayed')[0];
    const replay = (db: TestDatabase) => replayInTransaction({ ops: opsOf(db), log: db.stores.log, clock: { now: () => now + 1 } }, stored, 'command line');
    waitsShort(b);
    inTransaction(a, () => {
      expect(replay(a).kind).toBe('queued');
      expect(() => b.stores.unitOfWork.transaction(() => replay(b))).toThrow(LOCK_WAIT);
    });
    expect(b.stores.unitOfWork.transaction(() => replay(b))).toMatchObject({ kind: 'still_queued' });
    expect(a.sql.get("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")).toEqual({ n: 1 });
    expect(a.stores.log.listByOrder('9').filter((entry) => entry.kind === 'event_replayed')).toHaveLength(1);
  });

  if (TEST_STORE === 'postgres') {
    it("PostgreSQL: npm run reconcile holds the schedules' lock for its pass (no relay leads meanwhile), and cannot take it from a leader", () => {
      const [a, b] = shared.connections;
      const relay = createPostgresFleet(a.pg!, 'relay-a');
      expect(tryLeaderLock(b.pg!)).toBe(true);
      relay.beat(now, []);
      expect(relay.isLeader()).toBe(false);
      releaseLeaderLock(b.pg!);
      relay.beat(now + 2000, []);
      expect(relay.isLeader()).toBe(true);
      expect(tryLeaderLock(b.pg!)).toBe(false);
    });

    it('PostgreSQL: the relays running on a schema are those with a heartbeat younger than a lease', () => {
      const [a, b] = shared.connections;
      createPostgresFleet(a.pg!, 'relay-old').recordHeartbeat(now);
      createPostgresFleet(a.pg!, 'relay-live').recordHeartbeat(now + FLEET_LEASE_MS);
      expect(liveFleetMembers(b.pg!, now + FLEET_LEASE_MS + 1).map((member) => member.owner)).toEqual(['relay-live']);
    });

    it('PostgreSQL: relays polling together claim different commands (FOR UPDATE SKIP LOCKED with a lease), one per order', () => {
      const [a, b] = shared.connections;
      const relayA = createPostgresOutboxStore(a.pg!, { claimAs: { owner: 'relay-a', leaseMs: 10_000 } });
      const relayB = createPostgresOutboxStore(b.pg!, { claimAs: { owner: 'relay-b', leaseMs: 10_000 } });
      a.stores.unitOfWork.transaction(() => {
        for (let order = 1; order <= 6; order += 1) for (let n = 0; n < 2; n += 1) relayA.enqueue(String(order), write(`${order}.${n}`), now);
      });
      const claimedA = relayA.claimDue(now, 4);
      const claimedB = relayB.claimDue(now, 4);
      expect(claimedA.map((item) => item.orderKey)).toEqual(['1', '2', '3', '4']);
      // The rest: the other orders' heads, never a second command of an order a holds.
      expect(claimedB.map((item) => item.orderKey)).toEqual(['5', '6']);
      expect(a.sql.all("SELECT lease_owner AS owner, COUNT(*) AS n FROM outbox WHERE lease_owner IS NOT NULL GROUP BY lease_owner ORDER BY lease_owner")).toEqual([
        { owner: 'relay-a', n: 4 },
        { owner: 'relay-b', n: 2 },
      ]);
      // A's claim is its lease: the attempt goes through for a, not for b.
      expect(relayB.markAttempt(claimedA[0].id, now + 1, { owner: 'relay-b', until: now + 10_001 })).toBe(false);
      expect(relayA.markAttempt(claimedA[0].id, now + 1, { owner: 'relay-a', until: now + 10_001 })).toBe(true);
    });

    it('PostgreSQL: one leader runs the schedules; when its connection ends, the next heartbeat elsewhere takes over', () => {
      const [a, b] = shared.connections;
      const fleetA = createPostgresFleet(a.pg!, 'relay-a');
      const fleetB = createPostgresFleet(b.pg!, 'relay-b');
      fleetA.beat(now, []);
      fleetB.beat(now, []);
      expect([fleetA.isLeader(), fleetB.isLeader()]).toEqual([true, false]);
      fleetB.beat(now + 2000, []);
      expect(fleetB.isLeader()).toBe(false);
      a.close();
      fleetB.beat(now + 4000, []);
      expect(fleetB.isLeader()).toBe(true);
    });

    it('PostgreSQL: the heartbeat renews only its own live leases; a dead relay\'s lease runs out', () => {
      const [a, b] = shared.connections;
      const mine = a.stores.outbox.enqueue('1', write('1'), now);
      const theirs = a.stores.outbox.enqueue('2', write('2'), now);
      a.stores.outbox.markAttempt(mine, now, { owner: 'relay-a', until: now + FLEET_LEASE_MS });
      a.stores.outbox.markAttempt(theirs, now, { owner: 'relay-dead', until: now + FLEET_LEASE_MS });
      runLeasesOut(5000);
      createPostgresFleet(a.pg!, 'relay-a').beat(now + 5000, [mine, theirs]);
      // Seconds left on each lease, by the database's clock: a's is back to a whole lease, the dead relay's is not.
      expect(b.sql.all(`SELECT lease_owner AS owner, round((lease_until - ${DATABASE_NOW_MS}) / 1000.0) AS left FROM outbox ORDER BY id`)).toEqual([
        { owner: 'relay-a', left: String(FLEET_LEASE_MS / 1000) },
        { owner: 'relay-dead', left: String(FLEET_LEASE_MS / 1000 - 5) },
      ]);
      runLeasesOut(FLEET_LEASE_MS - 5000);
      expect(b.stores.outbox.claimDue(now + FLEET_LEASE_MS, 10).map((item) => item.id)).toEqual([theirs]);
    });

    it('PostgreSQL: a heartbeat whose row cannot be written still renews the leases and takes the leadership, then says why it failed', () => {
      const [a, b] = shared.connections;
      const mine = a.stores.outbox.enqueue('1', write('1'), now);
      a.stores.outbox.markAttempt(mine, now, { owner: 'relay-a', until: now + FLEET_LEASE_MS });
      runLeasesOut(5000);
      // The row's write fails (here a trigger; in life a lock held past lock_timeout, a full disk's quota).
      b.sql.run(`CREATE FUNCTION refuse_heartbeat() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'heartbeat row refused'; END $$`);
      b.sql.run('CREATE TRIGGER refuse_heartbeat BEFORE INSERT OR UPDATE ON relay_heartbeats FOR EACH ROW EXECUTE FUNCTION refuse_heartbeat()');
      const fleet = createPostgresFleet(a.pg!, 'relay-a');
      expect(() => fleet.beat(now + 5000, [mine])).toThrow('heartbeat row refused');
      // Was skipped: another relay could take the command over while this one still runs it.
      expect(b.sql.get(`SELECT round((lease_until - ${DATABASE_NOW_MS}) / 1000.0) AS left FROM outbox WHERE id = ?`, mine)).toEqual({ left: String(FLEET_LEASE_MS / 1000) });
      expect(fleet.isLeader()).toBe(true);
      expect(b.sql.get('SELECT COUNT(*) AS n FROM relay_heartbeats')).toEqual({ n: 0 });
      releaseLeaderLock(a.pg!);
    });

    it('PostgreSQL: the heartbeat renews only the leases of commands in hand: one whose outcome could not be recorded runs out, and another relay runs it again', async () => {
      const [a, b] = shared.connections;
      const relayA = createPostgresOutboxStore(a.pg!, { claimAs: { owner: 'relay-a', leaseMs: FLEET_LEASE_MS } });
      const id = relayA.enqueue('7', write('7'), now);
      // While relay a writes the note, another connection holds the command's row (an operator's transaction, a
      // newer relay's migration) past a's lock wait: a's outcome cannot be recorded and the command stays pending.
      a.pg!.exec('SET lock_timeout = 100');
      const written: string[] = [];
      const gateway = {
        addNote: async (_order: string, note: string) => {
          b.pg!.exec('BEGIN');
          b.sql.get('SELECT id FROM outbox WHERE id = ? FOR UPDATE', id);
          written.push(note);
          return { ok: true as const, value: { id: 'n1', note, customerNote: false } };
        },
      } as unknown as OrderGateway;
      const worker = createOutboxWorker(
        { gateway, providers: new Map(), stores: { ...a.stores, outbox: relayA }, unitOfWork: a.stores.unitOfWork, clock: { now: () => now }, livemode: false, logger: silentLogger },
        { policy: { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000 }, concurrency: 4, pollMs: 50, owner: 'relay-a', leaseMs: FLEET_LEASE_MS },
      );
      const pass = worker.runOnce();
      await new Promise((resolve) => setImmediate(resolve));
      expect(worker.commandsInHand()).toEqual([id]);
      expect(await pass).toBe(0);
      b.pg!.exec('COMMIT');
      expect(written).toHaveLength(1);
      expect(b.stores.outbox.state(id)).toMatchObject({ state: 'pending', attempts: 1 });
      // Relay a lives on and beats, but no longer has the command in hand: its lease is not renewed.
      expect(worker.commandsInHand()).toEqual([]);
      runLeasesOut(FLEET_LEASE_MS - 1000);
      createPostgresFleet(a.pg!, 'relay-a').beat(now + FLEET_LEASE_MS - 1000, worker.commandsInHand());
      // Once it runs out, relay b takes it over (attempts 1: it looks for the note before writing it again).
      runLeasesOut(1000);
      expect(b.stores.outbox.claimDue(now + FLEET_LEASE_MS, 10).map((item) => [item.id, item.attempts])).toEqual([[id, 1]]);
    });

    it('PostgreSQL: leases run on the database\'s clock: a relay whose clock is a minute ahead neither takes a live lease over nor polls for it in a loop; one a minute behind takes a dead relay\'s over once it ran out', () => {
      const [a, b] = shared.connections;
      const relayA = createPostgresOutboxStore(a.pg!, { claimAs: { owner: 'relay-a', leaseMs: FLEET_LEASE_MS } });
      const ahead = createPostgresOutboxStore(b.pg!, { claimAs: { owner: 'relay-b', leaseMs: FLEET_LEASE_MS } });
      const behind = createPostgresOutboxStore(b.pg!, { claimAs: { owner: 'relay-c', leaseMs: FLEET_LEASE_MS } });
      const wall = Date.now();
      const id = relayA.enqueue('7', write('7'), wall - 120_000);
      expect(relayA.claimDue(wall, 10).map((item) => item.id)).toEqual([id]);
      expect(relayA.markAttempt(id, wall, { owner: 'relay-a', until: wall + FLEET_LEASE_MS })).toBe(true);
      // By b's clock a's lease ran out 50 s ago; by the database's it has 10 s to go.
      const aheadNow = wall + 60_000;
      expect(ahead.claimDue(aheadNow, 10)).toEqual([]);
      expect(ahead.markAttempt(id, aheadNow, { owner: 'relay-b', until: aheadNow + FLEET_LEASE_MS })).toBe(false);
      // b sleeps until the lease's end, told in its own clock ("due already" would have it poll without pause).
      const wake = ahead.nextDueAt(aheadNow)!;
      expect(wake).toBeGreaterThan(aheadNow + FLEET_LEASE_MS - 2_000);
      expect(wake).toBeLessThanOrEqual(aheadNow + FLEET_LEASE_MS);
      // a's clock runs a minute behind: its heartbeat renews the lease for 10 s of the database's clock all the same.
      runLeasesOut(FLEET_LEASE_MS - 1_000);
      createPostgresFleet(a.pg!, 'relay-a').beat(wall - 60_000, [id]);
      runLeasesOut(FLEET_LEASE_MS - 1_000);
      expect(ahead.claimDue(aheadNow, 10)).toEqual([]);
      // a dies: once its lease ran out by the database's clock, a relay whose clock is behind takes the command over.
      runLeasesOut(1_000);
      expect(behind.claimDue(wall - 60_000, 10).map((item) => item.id)).toEqual([id]);
      expect(behind.markAttempt(id, wall - 60_000, { owner: 'relay-c', until: wall - 60_000 + FLEET_LEASE_MS })).toBe(true);
    });

    it('PostgreSQL: one order\'s session creation runs on one relay at a time; other orders do not wait', async () => {
      const [a, b] = shared.connections;
      // One provider both relays call; the first call hangs until released.
      const stripe = fakeProvider({ id: 'stripe', script: [{ do: 'hang' }] });
      const relayA = sessionHarness([stripe], { orderLock: createPostgresOrderLock(a.pg!), attemptTimeoutMs: 5_000 });
      const relayB = sessionHarness([stripe], { orderLock: createPostgresOrderLock(b.pg!), attemptTimeoutMs: 5_000 });
      const first = relayA.create({ orderId: '42' });
      await new Promise((resolve) => setImmediate(resolve));
      const second = relayB.create({ orderId: '42' });
      expect((await relayB.create({ orderId: '43' })).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stripe.calls.map((call) => call.merchantOrderId)).toEqual(['42', '43']);
      stripe.release();
      await first;
      expect((await second).ok).toBe(true);
      expect(stripe.calls.map((call) => call.merchantOrderId)).toEqual(['42', '43', '42']);
    });
  }
});
