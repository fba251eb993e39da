import { dismissDeadLetter, getDeadLetter, listDeadLetters, retryAllDeadLetters, retryDeadLetter, type DeadLetterDeps } from '../../relay/src/app/dead-letters';
import { startHarness, type Harness } from '../helpers/relay-harness';

/** A shop that refuses the write for good (400): the one attempt is a dead letter. */
const refuseOrderWrites = (h: Harness, count = 1): void =>
  h.shop.faults.add({ method: 'PUT', path: /orders/, fault: { kind: 'status', status: 400, body: { code: 'woocommerce_rest_invalid_param', message: 'Invalid parameter(s): status', data: { status: 400 } } }, count });

describe('dead letters by hand (retry, retry all, dismiss)', () => {
  let h: Harness;
  let deps: DeadLetterDeps;
  beforeEach(async () => {
    h = await startHarness({ PAYRELAY_WORKER_MAX_ATTEMPTS: '3' });
    deps = { ops: h.ops, log: h.relay.stores.log, sessions: h.relay.stores.sessions, unitOfWork: h.relay.stores.unitOfWork, clock: h.clock };
  });
  afterEach(() => h.close());

  async function deadLetterFor(): Promise<{ orderId: string; id: number }> {
    const session = h.seed();
    refuseOrderWrites(h);
    await h.send(session, 'paid');
    await h.drain();
    const letter = listDeadLetters(deps).letters.find((l) => l.merchantOrderId === session.merchantOrderId);
    if (!letter) throw new Error('no dead letter was made');
    return { orderId: session.merchantOrderId, id: letter.id };
  }

  it('lists a dead letter with its order, command kind, attempts and last error in words', async () => {
    const { orderId, id } = await deadLetterFor();
    const listed = listDeadLetters(deps);
    expect(listed.total).toBe(1);
    expect(listed.letters[0]).toMatchObject({
      id,
      merchantOrderId: orderId,
      kind: 'order_write',
      task: `mark shop order ${orderId} paid`,
      attempts: 1,
      errorCode: 'woocommerce_rest_invalid_param',
      dismissedAt: null,
    });
    expect(listed.letters[0].lastError).toBe('WooCommerce rejected the request with 400 (woocommerce_rest_invalid_param): Invalid parameter(s): status');
  });

  it('retry makes it pending and due now; the worker applies it, and the payment log says who retried it', async () => {
    const { orderId, id } = await deadLetterFor();
    const retried = await retryDeadLetter(deps, id, 'dashboard');
    expect(retried.ok).toBe(true);
    expect(h.relay.stores.outbox.state(id)).toMatchObject({ state: 'pending' });
    expect(listDeadLetters(deps).total).toBe(0);
    await h.drain();
    expect(h.shop.orders.getOrder(orderId)!.status).toBe('processing');
    expect(h.ourNotes(orderId)).toHaveLength(1);
    expect(h.relay.stores.outbox.state(id)).toMatchObject({ state: 'done' });
    const entry = h.relay.stores.log.listByOrder(orderId).find((e) => e.kind === 'dead_letter');
    expect(entry?.message).toContain(`Dead letter ${id} (mark shop order ${orderId} paid) retried from the dashboard`);
    expect(entry?.data).toMatchObject({ outboxId: id, action: 'retry', actor: 'dashboard', commandKind: 'order_write' });
  });

  it('a retried dead letter gets a fresh retry budget (attempts restart), not the one left over', async () => {
    const session = h.seed();
    h.shop.faults.add({ method: 'GET', path: /orders\/\d+$/, fault: { kind: 'status', status: 503 }, count: 3 });
    await h.send(session, 'paid');
    await h.drain();
    const [letter] = listDeadLetters(deps).letters;
    expect(letter).toMatchObject({ attempts: 3, errorCode: 'service_unavailable' });
    expect(letter.lastError).toMatch(/^gave up after 3 attempts: WooCommerce answered 503/);

    await retryDeadLetter(deps, letter.id, 'command line');
    h.shop.faults.add({ method: 'GET', path: /orders\/\d+$/, fault: { kind: 'status', status: 503 }, count: 1 });
    await h.drain();
    // One more failure did not kill it (the 3 attempts left over would have): it ran again and was applied.
    expect(h.relay.stores.outbox.state(letter.id)).toMatchObject({ state: 'done', attempts: 3 });
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
  });

  it('a dead letter whose note reached the shop is retried without a second note (it still counts as having run)', async () => {
    const session = h.seed();
    // The note is written but its answer is lost, then every look for it fails: dead after 3 attempts, note on the order.
    h.shop.faults.add({ method: 'POST', path: /notes/, fault: { kind: 'apply_then_drop' }, count: 1 });
    h.shop.faults.add({ method: 'GET', path: /notes/, fault: { kind: 'status', status: 503 }, count: 10 });
    await h.send(session, 'paid');
    await h.drain();
    const [letter] = listDeadLetters(deps).letters;
    expect(letter).toMatchObject({ merchantOrderId: session.merchantOrderId, attempts: 3 });
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    h.shop.faults.clear();
    const posts = h.shop.requests.filter((r) => r.method === 'POST').length;

    expect((await retryDeadLetter(deps, letter.id, 'dashboard')).ok).toBe(true);
    await h.drain();
    expect(h.relay.stores.outbox.state(letter.id)).toMatchObject({ state: 'done' });
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    expect(h.shop.requests.filter((r) => r.method === 'POST').length).toBe(posts);
  });

  it('retry all puts every dead letter back, oldest first, and each order is applied', async () => {
    const first = await deadLetterFor();
    const second = await deadLetterFor();
    const retried = await retryAllDeadLetters(deps, 'command line');
    expect(retried.map((letter) => letter.id)).toEqual([first.id, second.id]);
    await h.drain();
    for (const { orderId } of [first, second]) expect(h.shop.orders.getOrder(orderId)!.status).toBe('processing');
    expect(await retryAllDeadLetters(deps, 'command line')).toEqual([]);
  });

  it('dismiss keeps it for the audit but out of lists, counts and the dead-letter alarm; it cannot be retried after', async () => {
    const { orderId, id } = await deadLetterFor();
    const alarms = h.alarms;
    expect(alarms.facts(0).deadLetters).toBe(1);
    const dismissed = await dismissDeadLetter(deps, id, 'command line');
    expect(dismissed.ok && dismissed.value.dismissedAt).toBe(h.clock.now());
    expect(listDeadLetters(deps)).toEqual({ total: 0, letters: [] });
    expect(h.relay.stores.outbox.counts().dead).toBe(0);
    expect(alarms.facts(0).deadLetters).toBe(0);
    expect(getDeadLetter(deps, id)).toMatchObject({ id, merchantOrderId: orderId, errorCode: 'woocommerce_rest_invalid_param', dismissedAt: h.clock.now() });
    expect(h.relay.stores.log.listByOrder(orderId).find((e) => e.kind === 'dead_letter')?.message).toContain('dismissed from the command line: it will not be retried');

    const retried = await retryDeadLetter(deps, id, 'dashboard');
    expect(retried).toMatchObject({ ok: false, error: { code: 'dismissed' } });
    expect(await retryAllDeadLetters(deps, 'dashboard')).toEqual([]);
    expect(h.relay.stores.outbox.state(id)).toMatchObject({ state: 'dead' });
    expect(await dismissDeadLetter(deps, id, 'dashboard')).toMatchObject({ ok: false, error: { code: 'dismissed' } });
  });

  it('two clicks at once (retry, retry, retry all): retried once, one log entry, one write to the shop', async () => {
    const { orderId, id } = await deadLetterFor();
    const [first, second, all] = await Promise.all([retryDeadLetter(deps, id, 'dashboard'), retryDeadLetter(deps, id, 'dashboard'), retryAllDeadLetters(deps, 'command line')]);
    expect([first.ok, second.ok].filter(Boolean).length + all.length).toBe(1);
    expect(h.relay.stores.log.listByOrder(orderId).filter((e) => e.kind === 'dead_letter')).toHaveLength(1);
    const putsBefore = h.shop.requests.filter((r) => r.method === 'PUT').length;
    await h.drain();
    expect(h.shop.requests.filter((r) => r.method === 'PUT').length).toBe(putsBefore + 1);
    expect(h.ourNotes(orderId)).toHaveLength(1);
    expect(h.relay.stores.outbox.state(id)).toMatchObject({ state: 'done' });
  });

  it('retry and dismiss at once: one of them wins and the other says why; a dismissed letter is not queued', async () => {
    const { orderId, id } = await deadLetterFor();
    const [retried, dismissed] = await Promise.all([retryDeadLetter(deps, id, 'dashboard'), dismissDeadLetter(deps, id, 'command line')]);
    expect([retried.ok, dismissed.ok].filter(Boolean)).toEqual([true]);
    const loser = retried.ok ? dismissed : retried;
    expect(loser).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^(not_found|dismissed|not_dead)$/) } });
    await h.drain();
    expect(h.shop.orders.getOrder(orderId)!.status).toBe(retried.ok ? 'processing' : 'pending');
    expect(h.relay.stores.outbox.state(id)?.state).toBe(retried.ok ? 'done' : 'dead');
  });

  describe('one order, one write at a time, newest status last', () => {
    const LATE_NOTE = 'Payrelay did not change the order status: this update ran after a newer update of the order had been written (it had failed and was retried, or its event was replayed)';

    /** A paid webhook whose write the shop refuses (a dead letter), then a newer event for the same order. */
    async function paidDeadThen(newer: 'review' | 'refunded') {
      const session = h.seed();
      refuseOrderWrites(h);
      await h.send(session, 'paid');
      await h.drain();
      const [letter] = listDeadLetters(deps).letters;
      expect(letter).toMatchObject({ merchantOrderId: session.merchantOrderId, task: `mark shop order ${session.merchantOrderId} paid` });
      await h.send(session, newer);
      return { orderId: session.merchantOrderId, id: letter.id };
    }

    // The shop's order cannot tell a newer event's status from an older one's: by the live-order rules alone, an
    // old "paid" marks an order on hold for a review (or a dispute) processing, and a refunded one too.
    it.each([
      ['review', 'on-hold'],
      ['refunded', 'pending'],
    ] as const)('an old "paid" retried after a newer "%s" was written leaves the order %s; its note comes, saying why', async (newer, status) => {
      const { orderId, id } = await paidDeadThen(newer);
      await h.drain();
      expect(h.shop.orders.getOrder(orderId)!.status).toBe(status);
      const notesBefore = h.ourNotes(orderId).length;

      expect((await retryDeadLetter(deps, id, 'dashboard')).ok).toBe(true);
      await h.drain();
      expect(h.relay.stores.outbox.state(id)).toMatchObject({ state: 'done' });
      expect(h.shop.orders.getOrder(orderId)!.status).toBe(status);
      expect(h.shop.orders.getOrder(orderId)!.datePaid ?? null).toBeNull();
      const notes = h.ourNotes(orderId);
      expect(notes).toHaveLength(notesBefore + 1);
      expect(notes[notes.length - 1]).toContain(`${LATE_NOTE}, so the order stays ${status}.`);
      expect(h.relay.stores.log.listByOrder(orderId).map((e) => e.message)).toEqual(
        expect.arrayContaining([`Shop order ${orderId} updated: order left ${status} (a newer update was written first), note added.`]),
      );
    });

    it('a retry while a newer command of the order is being written is refused and names it; retried after, it writes no status over it', async () => {
      const { orderId, id } = await paidDeadThen('review');
      const [newer] = h.ops.openCommandsOf([orderId]).filter((command) => command.state === 'pending');
      // The shop is slow to answer the newer write: the worker holds it (its lease) while the retry is clicked.
      h.shop.faults.add({ method: 'GET', path: /orders\/\d+$/, fault: { kind: 'latency', ms: 600 } });
      const gets = h.shop.requests.filter((r) => r.method === 'GET').length;
      const writing = h.relay.worker.runOnce();
      while (h.shop.requests.filter((r) => r.method === 'GET').length === gets) await new Promise((resolve) => setTimeout(resolve, 10));

      const refused = await retryDeadLetter(deps, id, 'dashboard');
      expect(refused).toMatchObject({ ok: false, error: { code: 'order_busy', commandId: newer.id } });
      expect(!refused.ok && refused.error.message).toBe(
        `Order ${orderId} is being written right now by outbox command ${newer.id}; dead letter ${id} was not retried, so that the two do not write the order at once. Retry it in a moment.`,
      );
      expect(await retryAllDeadLetters(deps, 'command line')).toEqual([]);
      expect(h.relay.stores.outbox.state(id)).toMatchObject({ state: 'dead' });
      expect(h.relay.stores.log.listByOrder(orderId).filter((e) => e.kind === 'dead_letter')).toEqual([]);

      await writing;
      expect(h.shop.orders.getOrder(orderId)!.status).toBe('on-hold');
      expect((await retryDeadLetter(deps, id, 'dashboard')).ok).toBe(true);
      await h.drain();
      expect(h.shop.orders.getOrder(orderId)!.status).toBe('on-hold');
      expect(h.ourNotes(orderId).at(-1)).toContain(LATE_NOTE);
    });

    it('retried before the newer command ran, the old one goes first and both statuses are written in order', async () => {
      const session = h.seed();
      refuseOrderWrites(h);
      await h.send(session, 'paid');
      await h.drain();
      const [letter] = listDeadLetters(deps).letters;
      // Queued, not yet run: the worker is not called until after the retry.
      await h.send(session, 'refunded');
      expect((await retryDeadLetter(deps, letter.id, 'dashboard')).ok).toBe(true);
      await h.drain();
      expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('refunded');
      expect(h.ourNotes(session.merchantOrderId).some((note) => note.includes(LATE_NOTE))).toBe(false);
    });
  });

  it('says why when the id is not a dead letter: unknown, or already retried', async () => {
    const { id } = await deadLetterFor();
    expect(await retryDeadLetter(deps, 999_999, 'dashboard')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await retryDeadLetter(deps, id, 'dashboard')).ok).toBe(true);
    const again = await retryDeadLetter(deps, id, 'dashboard');
    expect(again).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(!again.ok && again.error.message).toContain('retried and is queued or done');
  });
});
