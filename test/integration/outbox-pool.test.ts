import { PAID_ON_CANCELLED } from '../../relay/src/domain/order-write-plan';
import type { OrderGateway } from '../../relay/src/ports/order-gateway';
import { PROBE_EVERY_MS } from '../../relay/src/worker/shop-pause';
import { eventually } from '../helpers/browser-chromium';
import { startHarness, type Harness } from '../helpers/relay-harness';

/**
 * Issue 10's drain: the outbox worker as a pool of four slots (PAYRELAY_WORKER_CONCURRENCY's default) over the
 * WooCommerce stand-in. Several commands are in flight at once, never two of one order; a batch of commands has
 * its orders read in one request; a write WooCommerce does not guard reads its order just before; a shop that is
 * down gets one cheap probe at a time and its return is followed at once.
 */
describe('the outbox worker as a pool', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  /** Counts the gateway's calls per order while they are in flight (one command's calls are one after another). */
  function watchOrderCalls(gateway: OrderGateway) {
    const perOrder = new Map<string, number>();
    const seen = { inFlight: 0, mostInFlight: 0, sameOrderOverlaps: 0 };
    for (const name of ['getOrder', 'updateOrder', 'listNotes', 'addNote', 'createRefund'] as const) {
      const real = gateway[name].bind(gateway) as (orderId: string, ...rest: never[]) => Promise<unknown>;
      (gateway as unknown as Record<string, unknown>)[name] = async (orderId: string, ...rest: never[]) => {
        perOrder.set(orderId, (perOrder.get(orderId) ?? 0) + 1);
        if (perOrder.get(orderId)! > 1) seen.sameOrderOverlaps += 1;
        seen.mostInFlight = Math.max(seen.mostInFlight, ++seen.inFlight);
        try {
          return await real(orderId, ...rest);
        } finally {
          perOrder.set(orderId, perOrder.get(orderId)! - 1);
          seen.inFlight -= 1;
        }
      };
    }
    return seen;
  }

  /** What reached the shop for one order, in order: `PUT`, `POST notes`, `POST refunds`, `GET` (its own read). */
  const callsFor = (orderId: string) =>
    h.shop.requests
      .filter((r) => r.path.startsWith(`/wp-json/wc/v3/orders/${orderId}`))
      .map((r) => `${r.method}${r.path.endsWith('/notes') ? ' notes' : r.path.endsWith('/refunds') ? ' refunds' : ''}`);
  const listReads = () => h.shop.requests.filter((r) => r.method === 'GET' && r.path === '/wp-json/wc/v3/orders' && r.query.include !== undefined);

  it('four orders at once, never two commands of one order: each order gets its writes in the order its events came', async () => {
    // Every call takes a while, so that commands in flight together really overlap.
    h.shop.faults.add({ path: /orders/, fault: { kind: 'latency', ms: 15 }, count: 100_000 });
    const sessions = Array.from({ length: 10 }, () => h.seed());
    for (const session of sessions) {
      await h.send(session, 'paid');
      await h.send(session, 'refunded', { refunded_amount: 500 });
      await h.send(session, 'refunded', { refunded_amount: 1000 });
    }
    expect(h.relay.stores.outbox.counts().pending).toBe(30);
    const seen = watchOrderCalls(h.relay.gateway);
    await h.drain();

    expect(seen.mostInFlight).toBe(4);
    expect(seen.sameOrderOverlaps).toBe(0);
    for (const session of sessions) {
      const order = session.merchantOrderId;
      // The paid write needs no read of its own (the batch read did); each refund reads the order first.
      expect(callsFor(order)).toEqual(['PUT', 'POST notes', 'GET', 'POST refunds', 'POST notes', 'GET', 'POST refunds', 'POST notes']);
      expect(h.ourNotes(order).map((note) => note.split(':')[0])).toEqual(['Payment received at Payrelay Sandbox', expect.stringMatching(/^Partial refund|^Refund/), expect.stringMatching(/^Partial refund|^Refund/)]);
      expect(h.shop.orders.refunds(order).map((refund) => refund.amount)).toEqual(['5.00', '5.00']);
      expect(h.shop.orders.getOrder(order)!.status).toBe('processing');
    }
    expect(h.relay.stores.outbox.counts()).toMatchObject({ pending: 0, dead: 0 });
  });

  it('a command whose lease ran out while it still waits for the shop is not claimed again by the worker holding it until that attempt settles', async () => {
    const sessions = Array.from({ length: 6 }, () => h.seed());
    for (const session of sessions) await h.send(session, 'paid');
    const [stuck, slow] = sessions.map((session) => session.merchantOrderId);
    const gates = new Map<string, { opened: Promise<void>; open: () => void; reached: boolean }>();
    for (const order of [stuck, slow]) {
      let open!: () => void;
      gates.set(order, { opened: new Promise<void>((resolve) => (open = resolve)), open, reached: false });
    }
    const updateOrder = h.relay.gateway.updateOrder.bind(h.relay.gateway);
    h.relay.gateway.updateOrder = async (id, fields) => {
      const gate = gates.get(id);
      if (gate) {
        gate.reached = true;
        await gate.opened;
      }
      return updateOrder(id, fields);
    };
    const running = h.relay.worker.runOnce();
    await eventually('both gated writes are in flight and the other four orders written', () =>
      [...gates.values()].every((gate) => gate.reached) && sessions.slice(2).every((s) => h.ourNotes(s.merchantOrderId).length === 1) ? true : undefined,
    );
    // Both leases run out (a worker that stalled; on PostgreSQL by the database's clock, so set rather than waited
    // for); the slow one finishes, and the pool claims again.
    h.sql.run(`UPDATE outbox SET lease_until = 1 WHERE order_key IN (?, ?) AND state = 'pending'`, stuck, slow);
    gates.get(slow)!.open();
    await eventually('the slow order is written', () => (h.ourNotes(slow).length === 1 ? true : undefined));
    gates.get(stuck)!.open();
    await running;
    // Its lease gone, the stuck command wrote nothing after the PUT in hand (the claim check before each write), and
    // was claimed again only once that attempt had settled: one PUT, then a run that looks for its note first.
    // Claimed again while still in flight, it would have sent a second PUT beside the first.
    expect(callsFor(stuck)).toEqual(['PUT', 'GET', 'GET notes', 'POST notes']);
    expect(h.ourNotes(stuck)).toHaveLength(1);
    expect(h.shop.orders.getOrder(stuck)!.status).toBe('processing');
    expect(h.relay.stores.outbox.counts()).toMatchObject({ pending: 0, dead: 0 });
  });

  it('a backlog of payments: one read for a batch of orders, then only the two writes each needs', async () => {
    const sessions = Array.from({ length: 12 }, () => h.seed());
    for (const session of sessions) await h.send(session, 'paid');
    await h.drain();

    expect(listReads().map((r) => r.query.include.split(',').sort())).toEqual([sessions.map((s) => s.merchantOrderId).sort()]);
    for (const session of sessions) {
      expect(callsFor(session.merchantOrderId)).toEqual(['PUT', 'POST notes']);
      expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
      expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    }
  });

  /** The order's status changes in the shop right after the worker's batch read has seen it as it was. */
  const changedAfterBatchRead = (orderId: string, status: string) => {
    const getOrders = h.relay.gateway.getOrders.bind(h.relay.gateway);
    h.relay.gateway.getOrders = async (ids) => {
      const read = await getOrders(ids);
      h.shop.orders.setStatus(orderId, status);
      return read;
    };
  };

  it('a status write WooCommerce does not guard reads its order just before: a payment a person recorded after the batch read is not undone by a decline', async () => {
    const sessions = Array.from({ length: 3 }, () => h.seed());
    for (const session of sessions) await h.send(session, 'failed', { reason: 'card declined' });
    const [byHand] = sessions;
    // Between the batch read and the write: the merchant took the money another way and marked the order paid.
    changedAfterBatchRead(byHand.merchantOrderId, 'processing');
    await h.drain();

    expect(listReads()).toHaveLength(1);
    expect(h.shop.orders.getOrder(byHand.merchantOrderId)!.status).toBe('processing');
    expect(h.ourNotes(byHand.merchantOrderId)[0]).toContain('left processing');
    for (const session of sessions.slice(1)) expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('failed');
    for (const session of sessions) expect(callsFor(session.merchantOrderId)[0]).toBe('GET');
  });

  it('a payment for an order cancelled after the batch read: WooCommerce ignores set_paid, its answer shows the cancel, and the order goes on hold with the note, never to processing', async () => {
    const sessions = Array.from({ length: 2 }, () => h.seed());
    for (const session of sessions) await h.send(session, 'paid');
    const [cancelled, paid] = sessions;
    // The shop's hold-stock timer cancels the unpaid order just after the worker read it as pending.
    changedAfterBatchRead(cancelled.merchantOrderId, 'cancelled');
    await h.drain();

    expect(h.shop.orders.getOrder(cancelled.merchantOrderId)!.status).toBe('on-hold');
    expect(h.ourNotes(cancelled.merchantOrderId)).toEqual([expect.stringContaining(PAID_ON_CANCELLED)]);
    // The set_paid the shop ignored, then the write planned against its answer; no read of its own.
    expect(callsFor(cancelled.merchantOrderId)).toEqual(['PUT', 'PUT', 'POST notes']);
    expect(h.shop.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/${cancelled.merchantOrderId}`)).map((r) => r.body)).toEqual([
      { set_paid: true, transaction_id: expect.any(String) },
      { status: 'on-hold', transaction_id: expect.any(String) },
    ]);
    expect(h.shop.orders.getOrder(paid.merchantOrderId)!.status).toBe('processing');
  });

  it(`a shop that is down gets one probe every ${PROBE_EVERY_MS} ms and nothing else; the first write follows its return within one probe, by the worker's clock`, async () => {
    const sessions = Array.from({ length: 6 }, () => h.seed());
    for (const session of sessions) await h.send(session, 'paid');
    h.shop.faults.add({ path: /./, fault: { kind: 'bad_gateway' }, count: 1_000_000 });
    const writesAt: number[] = [];
    const updateOrder = h.relay.gateway.updateOrder.bind(h.relay.gateway);
    h.relay.gateway.updateOrder = (id, fields) => (writesAt.push(h.clock.now()), updateOrder(id, fields));

    // Three reads of the batch fail: the shop counts as down.
    for (let pass = 0; pass < 3; pass += 1) expect(await h.relay.worker.runOnce()).toBe(0);
    const downAt = h.clock.now();
    const sentWhileUp = h.shop.requests.length;
    expect(sentWhileUp).toBe(3);
    // Five seconds of outage, the worker woken each time it asks to be.
    while (h.clock.now() < downAt + 5000) {
      const wake = h.relay.worker.nextWakeAt()!;
      expect(wake - h.clock.now()).toBeLessThanOrEqual(PROBE_EVERY_MS);
      h.clock.advance(wake - h.clock.now());
      expect(await h.relay.worker.runOnce()).toBe(0);
    }
    const probes = h.shop.requests.slice(sentWhileUp);
    expect(probes).toHaveLength(5000 / PROBE_EVERY_MS);
    expect(probes.every((r) => r.method === 'GET' && r.path === '/wp-json/wc/v3/orders' && r.query.per_page === '1')).toBe(true);
    expect(writesAt).toEqual([]);

    const backAt = h.clock.now();
    h.shop.faults.clear();
    h.clock.advance(h.relay.worker.nextWakeAt()! - h.clock.now());
    expect(await h.relay.worker.runOnce()).toBe(6);
    expect(Math.min(...writesAt) - backAt).toBeLessThanOrEqual(PROBE_EVERY_MS);
    for (const session of sessions) expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    // The outage used none of the commands' attempts: each was written on its first, with no retry logged.
    const entries = sessions.flatMap((session) => h.relay.stores.log.listByOrder(session.merchantOrderId));
    expect(entries.filter((entry) => entry.kind === 'order_update_retry')).toEqual([]);
    expect(entries.filter((entry) => entry.kind === 'order_updated').map((entry) => entry.data?.attempt)).toEqual(Array(6).fill(1));
  });
});
