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
