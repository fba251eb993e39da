import { queuedCommandsOfOrder } from '../../relay/src/app/order-commands';
import { replayEvent, type ReplayDeps } from '../../relay/src/app/replay-event';
import { startHarness, type Harness } from '../helpers/relay-harness';

/** Replaying a stored event's shop write (npm run replay), on whichever store the suite runs (PAYRELAY_TEST_STORE). */
describe('replay a stored event', () => {
  let h: Harness;
  let deps: ReplayDeps;
  beforeEach(async () => {
    h = await startHarness({ PAYRELAY_WORKER_MAX_ATTEMPTS: '2' });
    deps = { ops: h.ops, log: h.relay.stores.log, unitOfWork: h.relay.stores.unitOfWork, clock: h.clock };
  });
  afterEach(() => h.close());

  const stored = (eventId: string) => {
    const [event] = h.ops.storedEventsByEventId(eventId);
    if (!event) throw new Error(`event ${eventId} is not stored`);
    return event;
  };

  it('finds the event by the provider id and by its inbox row number', async () => {
    const session = h.seed();
    const { eventId } = await h.send(session, 'paid');
    const event = stored(eventId);
    expect(event).toMatchObject({ provider: 'sandbox', eventId, eventType: 'payment.paid', sessionId: session.id, merchantOrderId: session.merchantOrderId, outcome: 'applied' });
    expect(h.ops.storedEvent(event.id)).toEqual(event);
    expect(h.ops.storedEvent(event.id + 1000)).toBeNull();
  });

  it('an applied event: a copy counted as having run is queued; the worker finds its note and writes nothing', async () => {
    const session = h.seed();
    const { eventId } = await h.send(session, 'paid');
    await h.drain();
    const writes = h.shop.requests.filter((r) => r.method !== 'GET').length;
    const outcome = await replayEvent(deps, stored(eventId), 'command line');
    expect(outcome.kind).toBe('queued');
    const copy = outcome.kind === 'queued' ? outcome.copies[0].id : 0;
    expect(h.relay.stores.outbox.state(copy)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(queuedCommandsOfOrder(h.ops, session.merchantOrderId, [session]).map((c) => c.id)).toEqual([copy]);
    await h.drain();
    expect(h.relay.stores.outbox.state(copy)?.state).toBe('done');
    expect(h.shop.requests.filter((r) => r.method !== 'GET').length).toBe(writes);
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    expect(h.relay.stores.log.listByOrder(session.merchantOrderId).find((e) => e.kind === 'event_replayed')?.message).toContain(`Event ${eventId} (payment.paid) replayed from the command line`);
  });

  // The copy is as old as the event it copies: by the live-order rules alone, an old "paid" replayed marks an
  // order on hold for a newer review, or a refunded one, processing again.
  it.each([
    ['review', 'on-hold'],
    ['refunded', 'refunded'],
  ] as const)('an old applied "paid" replayed after a newer "%s" leaves the order %s; nothing is written, and the log says why', async (newer, status) => {
    const session = h.seed();
    const orderId = session.merchantOrderId;
    const { eventId } = await h.send(session, 'paid');
    await h.drain();
    await h.send(session, newer);
    await h.drain();
    expect(h.shop.orders.getOrder(orderId)!.status).toBe(status);
    const writes = h.shop.requests.filter((r) => r.method !== 'GET').length;
    const notes = h.ourNotes(orderId);

    const outcome = await replayEvent(deps, stored(eventId), 'dashboard');
    expect(outcome.kind).toBe('queued');
    const copy = outcome.kind === 'queued' ? outcome.copies[0].id : 0;
    await h.drain();
    expect(h.relay.stores.outbox.state(copy)?.state).toBe('done');
    expect(h.shop.orders.getOrder(orderId)!.status).toBe(status);
    expect(h.shop.requests.filter((r) => r.method !== 'GET').length).toBe(writes);
    expect(h.ourNotes(orderId)).toEqual(notes);
    expect(h.relay.stores.log.listByOrder(orderId).map((e) => e.message)).toEqual(
      expect.arrayContaining([`Shop order ${orderId} updated: order left ${status} (a newer update was written first), its note was already there.`]),
    );
  });

  it('a partial refund replayed after a newer hold: its refund record is there already, and the log says so instead of "added"', async () => {
    const session = h.seed();
    const orderId = session.merchantOrderId;
    await h.send(session, 'paid');
    await h.drain();
    const refund = await h.send(session, 'refunded', { refunded_amount: 500 });
    await h.drain();
    await h.send(session, 'review');
    await h.drain();
    expect(h.shop.orders.refunds(Number(orderId)).map((r) => r.amount)).toEqual(['5.00']);
    const notes = h.ourNotes(orderId);

    expect((await replayEvent(deps, stored(refund.eventId), 'command line')).kind).toBe('queued');
    await h.drain();
    expect(h.shop.orders.refunds(Number(orderId)).map((r) => r.amount)).toEqual(['5.00']);
    expect(h.ourNotes(orderId)).toEqual(notes);
    const worked = h.relay.stores.log.listByOrder(orderId).map((e) => e.message).filter((m) => m.includes('a newer update was written first'));
    expect(worked).toEqual([`Shop order ${orderId} updated: refund record already there, order left on-hold (a newer update was written first), its note was already there.`]);
  });

  it('the latest event replayed after older ones were: it is not overtaken by their copies, and writes nothing new', async () => {
    const session = h.seed();
    const orderId = session.merchantOrderId;
    const paid = await h.send(session, 'paid');
    await h.drain();
    const review = await h.send(session, 'review');
    await h.drain();
    expect((await replayEvent(deps, stored(paid.eventId), 'command line')).kind).toBe('queued');
    await h.drain();
    const writes = h.shop.requests.filter((r) => r.method !== 'GET').length;

    const outcome = await replayEvent(deps, stored(review.eventId), 'command line');
    expect(outcome.kind).toBe('queued');
    const copy = outcome.kind === 'queued' ? outcome.copies[0].id : 0;
    // A copy's position is its event's: the done copy of the older paid (a larger id) is not newer than the review.
    expect(h.relay.stores.outbox.newerWriteDone(copy)).toBeNull();
    await h.drain();
    expect(h.relay.stores.outbox.state(copy)?.state).toBe('done');
    expect(h.shop.orders.getOrder(orderId)!.status).toBe('on-hold');
    expect(h.shop.requests.filter((r) => r.method !== 'GET').length).toBe(writes);
    expect(h.ourNotes(orderId)).toHaveLength(2);
    const worked = h.relay.stores.log.listByOrder(orderId).map((e) => e.message).filter((m) => m.startsWith(`Shop order ${orderId} updated`));
    expect(worked.filter((m) => m.includes('a newer update was written first'))).toHaveLength(1);
  });

  it('still queued, or a dead letter: nothing is copied, and the answer says which', async () => {
    const session = h.seed();
    const { eventId } = await h.send(session, 'paid');
    expect(await replayEvent(deps, stored(eventId), 'command line')).toMatchObject({ kind: 'still_queued' });
    h.shop.faults.add({ method: 'PUT', path: /orders/, fault: { kind: 'status', status: 400 }, count: 1 });
    await h.drain();
    const outcome = await replayEvent(deps, stored(eventId), 'command line');
    expect(outcome.kind).toBe('dead_letter');
    expect(h.relay.stores.outbox.counts()).toMatchObject({ pending: 0, dead: 1 });
  });

  it('an ignored event wrote nothing to the shop: nothing to replay', async () => {
    const session = h.seed();
    await h.send(session, 'paid');
    const { eventId } = await h.send(session, 'paid');
    await h.drain();
    expect(await replayEvent(deps, stored(eventId), 'command line')).toMatchObject({ kind: 'nothing_to_replay' });
  });
});
