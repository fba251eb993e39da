import type { PaymentSession } from '../../relay/src/domain/payment-session';
import type { CreateCheckoutInput, PaymentProvider } from '../../relay/src/ports/payment-provider';
import { startE2E, type E2E } from '../helpers/e2e-relay';

/**
 * Issue 12 item 6: a provider can answer the create call and send its first webhook before the relay's own
 * session insert commits. Such an event is parked, not lost: applied when the session appears (the insert and
 * the parking are serialized by SQLite's write lock, so one of them always sees the other), for ten minutes,
 * then ignored and listed in the diagnostics. Real relay over HTTP; the sandbox provider made "fast".
 */
describe('an event that arrives before its session is written', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E();
  });
  afterEach(async () => {
    await e.close();
  });

  const MINUTE = 60_000;
  type Sent = Awaited<ReturnType<E2E['h']['send']>>;
  /** The sandbox sends a webhook for the session while the relay is still creating it (before, or racing, the insert). */
  function fastProvider(status: 'paid' | 'failed', mode: 'before_insert' | 'racing_insert', insertDelayMs = 0): { sent: Promise<Sent>[] } {
    const sandbox = e.h.relay.providers.get('sandbox') as PaymentProvider;
    const original = sandbox.createCheckout.bind(sandbox);
    const sent: Promise<Sent>[] = [];
    Object.assign(sandbox, {
      createCheckout: async (input: CreateCheckoutInput) => {
        const created = await original(input);
        const delivery = e.h.send({ id: input.relaySessionId, amountMinor: input.amountMinor, currency: input.currency } as PaymentSession, status);
        sent.push(delivery);
        if (mode === 'before_insert') await delivery;
        // The relay's clock moves on before the insert (a slow disk, a long pause).
        e.h.clock.advance(insertDelayMs);
        return created;
      },
    });
    return { sent };
  }
  async function sandboxSession(): Promise<{ orderId: string; sessionId: string }> {
    const orderId = e.newOrder();
    const answer = await e.createSession(orderId, { method: 'wallet' });
    expect(answer).toMatchObject({ status: 201, json: { provider: 'sandbox' } });
    return { orderId, sessionId: answer.json.session_id };
  }
  const inboxOutcome = (eventId: string) => (e.h.sql.get('SELECT outcome FROM webhook_events WHERE event_id = ?', eventId) as { outcome: string }).outcome;

  it('an event that arrives before its session is applied when the session appears', async () => {
    const fast = fastProvider('paid', 'before_insert');
    const { orderId, sessionId } = await sandboxSession();
    const early = await fast.sent[0];
    // Acknowledged (durable) while the relay had no session for it yet.
    expect(early).toMatchObject({ status: 200, body: { results: [{ outcome: 'parked' }] } });
    await e.h.drain();

    expect(e.session(sessionId).status).toBe('paid');
    expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
    expect(e.h.ourNotes(orderId)).toEqual([expect.stringContaining('Payment received at Payrelay Sandbox')]);
    expect(inboxOutcome(early.eventId)).toBe('applied');
    const received = (await e.timeline(orderId)).entries.filter((entry) => entry.kind === 'webhook_received');
    expect(received).toEqual([expect.objectContaining({ message: expect.stringContaining('before this session was written') })]);

    // A redelivery of the same event is a duplicate: nothing more.
    const again = await e.h.send({ id: sessionId, amountMinor: 1999, currency: 'EUR' } as PaymentSession, 'paid', { id: early.eventId });
    expect(again.body.results[0].outcome).toBe('duplicate');
    await e.h.drain();
    expect(e.h.ourNotes(orderId)).toHaveLength(1);
  });

  it('the webhook and the session insert race: whichever commits first, every event is applied once with one note', async () => {
    const fast = fastProvider('paid', 'racing_insert');
    const created = await Promise.all(Array.from({ length: 8 }, () => sandboxSession()));
    const answers = await Promise.all(fast.sent);
    // Either interleaving may happen (parked then released by the insert, or applied after it); both end the same way.
    for (const answer of answers) expect(['parked', 'applied']).toContain(answer.body.results[0].outcome);
    await e.h.drain();
    for (const { orderId, sessionId } of created) {
      expect(e.session(sessionId).status).toBe('paid');
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
      expect(e.h.ourNotes(orderId)).toHaveLength(1);
    }
  });

  it('an event for a session written first is applied at once, never parked', async () => {
    const { orderId, sessionId } = await sandboxSession();
    const sent = await e.h.send({ id: sessionId, amountMinor: 1999, currency: 'EUR' } as PaymentSession, 'paid');
    expect(sent.body.results[0]).toMatchObject({ outcome: 'applied', status: 'paid' });
    await e.h.drain();
    expect(e.h.ourNotes(orderId)).toHaveLength(1);
    expect(e.h.relay.stores.parked.summary(5)).toMatchObject({ parked: 0, expired: 0 });
  });

  it('bounded: an early event whose session does not appear within ten minutes stays ignored, and visible in the diagnostics', async () => {
    const stray = await e.h.send({ id: 'ps_never_written', amountMinor: 1999, currency: 'EUR' } as PaymentSession, 'paid');
    expect(stray.body.results[0].outcome).toBe('parked');
    e.h.clock.advance(11 * MINUTE);
    expect(await e.h.relay.runExpiry()).toMatchObject({ parkedExpired: 1 });
    expect(inboxOutcome(stray.eventId)).toBe('unknown_session');

    const diagnostics = await e.shopCall('GET', '/v1/diagnostics');
    expect(diagnostics.json.parked_events).toMatchObject({ waiting: 0, expired: 1, recent: [{ provider: 'sandbox', event: stray.eventId, state: 'expired' }] });

  });

  it('bounded: a session written more than ten minutes after its event does not apply it', async () => {
    const fast = fastProvider('paid', 'before_insert', 11 * MINUTE);
    const { orderId, sessionId } = await sandboxSession();
    expect((await fast.sent[0]).body.results[0].outcome).toBe('parked');
    await e.h.drain();
    expect(e.session(sessionId).status).toBe('created');
    expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('pending');
    expect(e.h.ourNotes(orderId)).toHaveLength(0);
  });
});
