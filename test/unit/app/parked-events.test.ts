import { openTestDatabase, TEST_STORE, type TestDatabase } from '../../helpers/test-store';
import { recordNotification } from '../../../relay/src/app/record-notification';
import { PARK_WINDOW_MS, recordProviderEvent, releaseParkedEvents } from '../../../relay/src/app/record-provider-event';
import { aSession, anEvent } from '../../helpers/builders';

/** Parking and releasing over a real database (SQLite, or PostgreSQL under PAYRELAY_TEST_STORE), one transaction each as in the relay. */
describe(`parked events (${TEST_STORE})`, () => {
  const opened: TestDatabase[] = [];
  afterAll(() => opened.splice(0).forEach((db) => db.close()));
  const t0 = 1_700_000_000_000;
  const setup = () => {
    const db = openTestDatabase();
    opened.push(db);
    const stores = db.stores;
    const tx = <T>(work: () => T): T => stores.unitOfWork.transaction(work);
    const insert = (session = aSession(), now = t0) =>
      tx(() => {
        stores.sessions.insert({ ...session, idempotencyKey: null, attempt: 1 });
        return releaseParkedEvents(stores, session, false, now);
      });
    const record = (event = anEvent(), now = t0) => tx(() => recordProviderEvent(stores, event, Buffer.from('{}'), 'signature', false, now));
    const outboxKinds = () => db.sql.all<{ kind: string }>('SELECT kind FROM outbox ORDER BY id').map((row) => row.kind);
    return { db, stores, insert, record, outboxKinds, tx };
  };

  it('an event before its session is applied exactly once when the session is written, found by any of its references', () => {
    for (const refs of [{ relaySessionId: 'ps_test_1' }, { relaySessionId: undefined, providerSessionId: 'cs_test_1' }, { relaySessionId: undefined, providerSessionId: undefined, providerPaymentId: 'pi_9' }]) {
      const { stores, insert, record, outboxKinds } = setup();
      expect(record(anEvent({ ...refs, providerPaymentId: refs.providerPaymentId ?? 'pi_1' })).outcome).toBe('parked');
      expect(outboxKinds()).toEqual([]);
      const released = insert(aSession({ providerPaymentId: refs.providerPaymentId ?? null }), t0 + 1000);
      expect(released).toEqual([expect.objectContaining({ outcome: 'applied', status: 'paid' })]);
      expect(stores.sessions.get('ps_test_1')!.status).toBe('paid');
      expect(outboxKinds()).toEqual(['order_write']);
      // Released once: nothing left for a second look.
      expect(releaseParkedEvents(stores, aSession(), false, t0 + 2000)).toEqual([]);
    }
  });

  it('a charge event keyed only by its payment id waits until the session learns that id (the completed checkout)', () => {
    const { stores, insert, record } = setup();
    insert(aSession({ providerPaymentId: null }));
    const review = anEvent({ eventId: 'evt_review', eventType: 'review.opened', status: 'review', relaySessionId: undefined, providerSessionId: undefined, providerPaymentId: 'pi_1', reason: 'Radar' });
    expect(record(review).outcome).toBe('parked');
    expect(record(anEvent(), t0 + 500).outcome).toBe('applied');
    // The review that came first applies once the checkout told the relay which payment is ours.
    expect(stores.sessions.get('ps_test_1')!.status).toBe('review');
  });

  it('a Mollie ping before its session queues one fetch when the session is written; pings for payments never written cost nothing', () => {
    const { stores, tx, insert, outboxKinds } = setup();
    const ping = (ref: string, now = t0) => tx(() => recordNotification(stores, 'mollie', ref, Buffer.from(`id=${ref}`), now));
    expect(ping('tr_early')).toBe('parked');
    expect(ping('tr_early')).toBe('parked');
    expect(ping('tr_stranger')).toBe('parked');
    expect(outboxKinds()).toEqual([]);
    expect(stores.parked.summary(10)).toMatchObject({ parked: 2 });
    insert(aSession({ provider: 'mollie', providerSessionId: 'tr_early', providerPaymentId: 'tr_early' }), t0 + 1000);
    expect(outboxKinds()).toEqual(['fetch_status']);
    // Past the window the stranger is given up on: still listed, never fetched.
    expect(tx(() => stores.parked.expire(t0 + PARK_WINDOW_MS + 1))).toBe(1);
    expect(stores.parked.summary(10)).toMatchObject({ parked: 0, expired: 1, recent: [{ eventKey: 'notification:tr_stranger', state: 'expired', seen: 1 }] });
  });

  it('not after the window: a session written later than that leaves the event ignored', () => {
    const { stores, insert, record } = setup();
    record();
    expect(insert(aSession(), t0 + PARK_WINDOW_MS + 1)).toEqual([]);
    expect(stores.sessions.get('ps_test_1')!.status).toBe('created');
  });
});
