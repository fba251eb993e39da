import { FLEET_LEASE_MS } from '../../relay/src/adapters/postgres/postgres-fleet';
import { recordShopRefund, startHarness, type Harness } from '../helpers/relay-harness';

/** The mission's checklist, end to end: a real relay, a real SQLite file, a WooCommerce stand-in over HTTP. */
describe('webhooks become exactly one WooCommerce update each', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const putsTo = (orderId: string) => h.shop.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/orders/${orderId}`) && r.status === 200).length;

  it('paid: order marked paid with the provider payment id and one note support understands', async () => {
    const session = h.seed();
    const answer = await h.send(session, 'paid');
    expect(answer.status).toBe(200);
    expect(answer.body.results[0]).toMatchObject({ outcome: 'applied', status: 'paid' });
    await h.drain();
    const order = h.shop.orders.getOrder(session.merchantOrderId)!;
    expect(order.status).toBe('processing');
    expect(order.transactionId).toBe(`sbx_pay_${session.id}`);
    expect(h.ourNotes(session.merchantOrderId)).toEqual([
      `Payment received at Payrelay Sandbox: 19.99 EUR, payment sbx_pay_${session.id}. [Payrelay ref sandbox:${answer.eventId}]`,
    ]);
    const kinds = h.relay.stores.log.listByOrder(session.merchantOrderId).map((e) => e.kind);
    expect(kinds).toEqual(['webhook_received', 'status_changed', 'order_updated']);
  });

  it('the acknowledgement never waits for WooCommerce', async () => {
    const [first, second] = [h.seed(), h.seed()];
    h.shop.faults.add({ path: /orders/, fault: { kind: 'hang' }, count: 10 });
    h.relay.worker.start();
    expect((await h.send(first, 'paid')).status).toBe(200);
    // The worker is now inside a shop call that never answers...
    while (!h.shop.requests.some((r) => r.status === 'hung')) await new Promise((resolve) => setTimeout(resolve, 10));
    const answer = await h.send(second, 'paid');
    // ...and the next webhook is acknowledged all the same, before that call even timed out.
    expect(answer.status).toBe(200);
    expect(h.sql.get('SELECT COUNT(*) AS n FROM outbox WHERE last_error IS NOT NULL')).toEqual({ n: 0 });
    expect(h.relay.stores.outbox.counts().pending).toBe(2);
    await h.relay.worker.stop();
  });

  it('sent twice: the second delivery changes nothing', async () => {
    const session = h.seed();
    const first = await h.send(session, 'paid', { id: 'sbx_evt_same' });
    await h.drain();
    const second = await h.send(session, 'paid', { id: 'sbx_evt_same' });
    await h.drain();
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.results[0].outcome).toBe('duplicate');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    expect(putsTo(session.merchantOrderId)).toBe(1);
  });

  it('sent twice at the same moment: one inbox row, one command, one note', async () => {
    const session = h.seed();
    const answers = await Promise.all(Array.from({ length: 25 }, () => h.send(session, 'paid', { id: 'sbx_evt_race' })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.results[0].outcome === 'applied')).toHaveLength(1);
    expect(h.sql.get(`SELECT COUNT(*) AS n FROM webhook_events WHERE event_id = 'sbx_evt_race'`)).toEqual({ n: 1 });
    expect(h.relay.stores.outbox.counts().pending).toBe(1);
    await h.drain();
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  });

  it('a burst: 30 payments each delivered 4 times at once while the worker writes to the shop', async () => {
    const sessions = Array.from({ length: 30 }, () => h.seed());
    const deliveries = sessions.flatMap((session, i) => Array.from({ length: 4 }, () => ({ session, id: `sbx_evt_burst_${i}` })));
    // Half the burst, then the rest while the worker is busy writing the first payments to the shop.
    h.relay.worker.start();
    const half = deliveries.length / 2;
    const answers = await Promise.all(deliveries.slice(0, half).map(({ session, id }) => h.send(session, 'paid', { id })));
    while (!h.shop.requests.some((r) => r.method === 'PUT')) await new Promise((resolve) => setTimeout(resolve, 10));
    answers.push(...(await Promise.all(deliveries.slice(half).map(({ session, id }) => h.send(session, 'paid', { id })))));
    await h.relay.worker.stop();
    await h.drain();
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.results[0].outcome === 'applied')).toHaveLength(30);
    for (const session of sessions) {
      expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
      expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    }
  });

  it('a bookkeeping write that fails for one order does not end the pass while another order is still being written', async () => {
    const [quick, slow] = [h.seed(), h.seed()];
    h.shop.faults.add({ path: new RegExp(`/orders/${slow.merchantOrderId}`), fault: { kind: 'latency', ms: 300 }, count: 10 });
    await h.send(quick, 'paid');
    await h.send(slow, 'paid');
    const idOf = (orderId: string) => (h.sql.get('SELECT id FROM outbox WHERE order_key = ?', orderId) as { id: number }).id;
    const outbox = h.relay.stores.outbox;
    const markDone = outbox.markDone;
    // Fails for as long as the pass runs (the group commit retries a failed item once on its own).
    outbox.markDone = (id, now) => {
      if (id === idOf(quick.merchantOrderId)) throw new Error('SQLITE_IOERR: disk I/O error');
      return markDone(id, now);
    };
    // One command ran; the one whose bookkeeping failed does not count, so the worker waits instead of spinning.
    expect(await h.relay.worker.runOnce()).toBe(1);
    // The pass waited for the slow order: it is done, not left pending for a second pass to claim again.
    expect(outbox.state(idOf(slow.merchantOrderId))?.state).toBe('done');
    expect(outbox.state(idOf(quick.merchantOrderId))?.state).toBe('pending');
    outbox.markDone = markDone;
    // Its lease runs out and the command is run again: SQLite's lease is by the relay's clock, which drain moves;
    // PostgreSQL's is by the database's, moved on here instead of waiting 10 s.
    if (h.databaseUrl) h.sql.run('UPDATE outbox SET lease_until = lease_until - ? WHERE lease_until IS NOT NULL', FLEET_LEASE_MS);
    await h.drain();
    for (const session of [quick, slow]) expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  });

  it('a command queued behind one in backoff is not "due": the worker sleeps until the head may run again', async () => {
    const session = h.seed();
    h.shop.faults.add({ path: /orders/, fault: { kind: 'status', status: 503 }, count: 1 });
    await h.send(session, 'paid');
    await h.relay.worker.runOnce();
    const retryAt = (h.sql.get(`SELECT next_attempt_at AS at FROM outbox WHERE state = 'pending'`) as { at: number }).at;
    expect(retryAt).toBeGreaterThan(h.clock.now());
    // A refund for the same order arrives now: due at once, but it must wait for the paid write ahead of it.
    await h.send(session, 'refunded', { refunded_amount: 500 });
    expect(h.relay.worker.nextWakeAt()).toBe(retryAt);
    expect(await h.relay.worker.runOnce()).toBe(0);
    await h.drain();
    expect(h.shop.orders.refunds(session.merchantOrderId).map((r) => r.amount)).toEqual(['5.00']);
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(2);
  });

  it('the same payment reported by two different events is written once', async () => {
    const session = h.seed();
    await h.send(session, 'paid');
    const again = await h.send(session, 'paid');
    expect(again.body.results[0].outcome).toBe('ignored');
    await h.drain();
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  });

  it('out of order: a pending after paid does not regress the order', async () => {
    const session = h.seed();
    await h.send(session, 'paid');
    const late = await h.send(session, 'pending');
    expect(late.body.results[0]).toMatchObject({ outcome: 'ignored', status: 'paid' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
    const ignored = h.relay.stores.log.listByOrder(session.merchantOrderId).filter((e) => e.kind === 'webhook_ignored');
    expect(ignored[0].message).toContain('does not move it back');
  });

  it('out of order: failed after paid does not undo the payment', async () => {
    const session = h.seed();
    await h.send(session, 'paid');
    const late = await h.send(session, 'failed', { reason: 'card declined' });
    expect(late.body.results[0]).toMatchObject({ outcome: 'ignored', status: 'paid' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  });

  it('delayed: a webhook that arrives hours later still applies', async () => {
    const session = h.seed();
    const answer = await h.send(session, 'paid', { created: Math.floor(h.clock.now() / 1000) - 6 * 3600 });
    expect(answer.body.results[0].outcome).toBe('applied');
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
  });

  it('declined: failed with the decline reason in words', async () => {
    const session = h.seed();
    await h.send(session, 'failed', { reason: 'card declined: insufficient funds' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('failed');
    expect(h.ourNotes(session.merchantOrderId)[0]).toContain('Payment failed at Payrelay Sandbox: card declined: insufficient funds');
  });

  it('expired versus failed: an expired session leaves the order pending payment with an "expired" note, not a decline', async () => {
    const session = h.seed();
    await h.send(session, 'expired');
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('pending');
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('expired');
    const note = h.ourNotes(session.merchantOrderId)[0];
    expect(note).toContain('expired before the customer paid');
    expect(note).not.toContain('failed');
  });

  it('a payment after expiry is still money: the order (still pending payment) is marked paid', async () => {
    const session = h.seed();
    await h.send(session, 'expired');
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('pending');
    await h.send(session, 'paid');
    await h.drain();
    const order = h.shop.orders.getOrder(session.merchantOrderId)!;
    expect(order.status).toBe('processing');
    expect(order.datePaid).toBeTruthy();
    expect(h.ourNotes(session.merchantOrderId)[1]).toContain('after the session was expired');
  });

  it('a payment after the customer cancelled is still money: the cancelled order is not reopened but put on hold, with a note saying why', async () => {
    const session = h.seed();
    await h.send(session, 'cancelled', { reason: 'customer went back to the shop' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('cancelled');
    const late = await h.send(session, 'paid');
    expect(late.body.results[0]).toMatchObject({ outcome: 'applied', status: 'paid' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)).toMatchObject({ status: 'on-hold', transactionId: `sbx_pay_${session.id}` });
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(2);
    expect(h.ourNotes(session.merchantOrderId)[1]).toContain('after the session was cancelled');
    expect(h.ourNotes(session.merchantOrderId)[1]).toContain('its stock may be back on sale');
  });

  describe('two sessions of one order both paid: the second payment is never ignored', () => {
    const doubleAlerts = (orderId: string) => h.relay.stores.alerts.listOpen(100).filter((a) => a.merchantOrderId === orderId && a.code === 'double_payment');

    it('two tabs: the second payment puts the order on hold with one note naming both payments and asking to refund one', async () => {
      const first = h.seed();
      const second = h.seed({ merchantOrderId: first.merchantOrderId });
      await h.send(first, 'paid');
      await h.drain();
      expect(h.shop.orders.getOrder(first.merchantOrderId)!.status).toBe('processing');
      const again = await h.send(second, 'paid');
      expect(again.body.results[0]).toMatchObject({ outcome: 'applied', status: 'review' });
      await h.drain();
      expect(h.shop.orders.getOrder(first.merchantOrderId)!.status).toBe('on-hold');
      const notes = h.ourNotes(first.merchantOrderId);
      expect(notes).toHaveLength(2);
      expect(notes[1]).toContain(`sbx_pay_${first.id}`);
      expect(notes[1]).toContain(`sbx_pay_${second.id}`);
      expect(notes[1]).toMatch(/paid twice.*refund one of the two payments/);
      expect(doubleAlerts(first.merchantOrderId)).toHaveLength(1);
      // Delivered again: nothing more.
      await h.send(second, 'paid', { id: again.eventId });
      await h.drain();
      expect(h.ourNotes(first.merchantOrderId)).toHaveLength(2);
    });

    it('a fallback whose first provider took the money after all: the late payment on the failed session goes to review too', async () => {
      const fellBack = h.seed({ status: 'failed' });
      const taken = h.seed({ merchantOrderId: fellBack.merchantOrderId });
      await h.send(taken, 'paid');
      await h.drain();
      const late = await h.send(fellBack, 'paid');
      expect(late.body.results[0]).toMatchObject({ outcome: 'applied', status: 'review' });
      await h.drain();
      expect(h.shop.orders.getOrder(fellBack.merchantOrderId)!.status).toBe('on-hold');
      expect(h.ourNotes(fellBack.merchantOrderId)[1]).toMatch(new RegExp(`sbx_pay_${taken.id}.*sbx_pay_${fellBack.id}|sbx_pay_${fellBack.id}.*sbx_pay_${taken.id}`));
      expect(doubleAlerts(fellBack.merchantOrderId)).toHaveLength(1);
    });

    it('the first payment is held for review (not yet released): a second payment is still a second payment', async () => {
      const held = h.seed();
      const second = h.seed({ merchantOrderId: held.merchantOrderId });
      await h.send(held, 'review', { reason: 'risk check' });
      await h.drain();
      await h.send(second, 'paid');
      await h.drain();
      expect(h.relay.stores.sessions.get(second.id)!.status).toBe('review');
      expect(h.ourNotes(held.merchantOrderId)[1]).toMatch(/paid twice/);
      expect(doubleAlerts(held.merchantOrderId)).toHaveLength(1);
    });
  });

  it('currency mismatch: the payment goes to review and the order on hold, never marked paid', async () => {
    const session = h.seed();
    await h.send(session, 'paid', { currency: 'USD' });
    await h.drain();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('review');
    const order = h.shop.orders.getOrder(session.merchantOrderId)!;
    expect(order.status).toBe('on-hold');
    expect(order.datePaid).toBeNull();
    expect(h.ourNotes(session.merchantOrderId)[0]).toContain('needs a look');
  });

  it('under review: the order goes on hold, and back to processing when cleared', async () => {
    const session = h.seed();
    await h.send(session, 'review', { reason: 'manual fraud review' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('on-hold');
    expect(h.ourNotes(session.merchantOrderId)[0]).toContain('needs a look: manual fraud review');
    expect(h.ourNotes(session.merchantOrderId)[0]).toContain('Do not ship until it is resolved.');
    await h.send(session, 'paid', { type: 'payment.review_approved' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    expect(h.ourNotes(session.merchantOrderId)[1]).toContain('Review cleared at Payrelay Sandbox');
  });

  it('under review: a plain paid (not the review verdict) leaves the order on hold, and says why in the payment log', async () => {
    const session = h.seed();
    await h.send(session, 'review', { reason: 'manual fraud review' });
    await h.drain();
    const late = await h.send(session, 'paid');
    expect(late.body.results[0]).toMatchObject({ outcome: 'ignored', status: 'review' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('on-hold');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    const ignored = h.relay.stores.log.listByOrder(session.merchantOrderId).filter((e) => e.kind === 'webhook_ignored');
    expect(ignored.map((e) => e.message)).toEqual([expect.stringContaining('held for review')]);
  });

  it('a stale pending after a decline changes nothing: one status change, one note', async () => {
    const session = h.seed();
    const declinedAt = Math.floor(h.clock.now() / 1000);
    await h.send(session, 'failed', { reason: 'card declined', created: declinedAt });
    await h.drain();
    // The pending the provider sent a minute before the decline, delivered after it.
    const late = await h.send(session, 'pending', { created: declinedAt - 60 });
    expect(late.body.results[0]).toMatchObject({ outcome: 'ignored', status: 'failed' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('failed');
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('failed');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    const ignored = h.relay.stores.log.listByOrder(session.merchantOrderId).filter((e) => e.kind === 'webhook_ignored');
    expect(ignored).toEqual([expect.objectContaining({ message: expect.stringContaining('older than the last event applied'), data: expect.objectContaining({ reason: 'stale_event' }) })]);
  });

  it('a newer pending after a decline is a new attempt on the same checkout: the order is payable again', async () => {
    const session = h.seed();
    const declinedAt = Math.floor(h.clock.now() / 1000);
    await h.send(session, 'failed', { reason: 'card declined', created: declinedAt });
    await h.send(session, 'pending', { created: declinedAt + 30 });
    await h.drain();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('pending');
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('pending');
  });

  it('money still wins over the clock: a payment older than the decline is still recorded paid', async () => {
    const session = h.seed();
    const declinedAt = Math.floor(h.clock.now() / 1000);
    await h.send(session, 'failed', { reason: 'card declined', created: declinedAt });
    await h.send(session, 'paid', { created: declinedAt - 60 });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
  });

  it('refunded: a partial refund is a refund record, the full refund moves the order to refunded', async () => {
    const session = h.seed();
    await h.send(session, 'paid');
    await h.send(session, 'refunded', { refunded_amount: 500 });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    expect(h.shop.orders.refunds(session.merchantOrderId).map((r) => r.amount)).toEqual(['5.00']);
    await h.send(session, 'refunded', { refunded_amount: 1999 });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('refunded');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(3);
  });

  it('a refund the shop has on record already (made by hand): no second record, and the log says it was there, not "added"', async () => {
    const session = h.seed();
    await h.send(session, 'paid');
    await h.drain();
    recordShopRefund(h, session, '5.00');
    await h.send(session, 'refunded', { refunded_amount: 500 });
    await h.drain();
    expect(h.shop.orders.refunds(session.merchantOrderId).map((r) => r.amount)).toEqual(['5.00']);
    expect(h.relay.stores.log.listByOrder(session.merchantOrderId).map((e) => e.message)).toContain(`Shop order ${session.merchantOrderId} updated: refund record of 5.00 EUR already there, note added.`);
  });

  it('a refund whose answer was lost is not refunded twice on retry', async () => {
    const session = h.seed();
    await h.send(session, 'paid');
    await h.drain();
    h.shop.faults.add({ method: 'POST', path: /\/refunds$/, fault: { kind: 'apply_then_drop' }, count: 1 });
    await h.send(session, 'refunded', { refunded_amount: 500 });
    await h.drain();
    expect(h.shop.orders.refunds(session.merchantOrderId).map((r) => r.amount)).toEqual(['5.00']);
    expect(h.shop.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/refunds'))).toHaveLength(1);
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(2);
    expect(h.relay.stores.outbox.counts()).toMatchObject({ pending: 0, dead: 0 });
  });

  it('amount mismatch: the payment goes to review and the order on hold', async () => {
    const session = h.seed();
    await h.send(session, 'paid', { amount: 999 });
    await h.drain();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('review');
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('on-hold');
  });

  it('WooCommerce down for a while and then back: nothing lost, no duplicate note, and the outage uses no attempts after the pause', async () => {
    const session = h.seed();
    h.shop.faults.add({ path: /orders/, fault: { kind: 'status', status: 503 }, count: 3 });
    h.shop.faults.add({ path: /orders/, fault: { kind: 'bad_gateway' }, count: 1 });
    h.shop.faults.add({ path: /orders/, fault: { kind: 'rate_limited', retryAfter: 30 }, count: 1 });
    h.shop.faults.add({ path: /orders/, fault: { kind: 'drop' }, count: 1 });
    await h.send(session, 'paid');
    const before = h.clock.now();
    await h.drain();
    // The shop's Retry-After holds every call, the probes too.
    expect(h.clock.now() - before).toBeGreaterThanOrEqual(30_000);
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    // Three failed attempts made the shop count as down; the 502, the 429 and the dropped connection met probes.
    const retries = h.relay.stores.log.listByOrder(session.merchantOrderId).filter((e) => e.kind === 'order_update_retry');
    expect(retries.length).toBe(3);
    const probes = h.shop.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/orders') && r.query.per_page === '1');
    expect(probes.map((r) => r.fault ?? r.status)).toEqual(['bad_gateway', 'rate_limited', 'drop', 200]);
  });

  it('WooCommerce timing out and answering 500: retried, applied once', async () => {
    const session = h.seed();
    h.shop.faults.add({ method: 'PUT', path: /orders/, fault: { kind: 'hang' }, count: 1 });
    h.shop.faults.add({ method: 'POST', path: /notes/, fault: { kind: 'status', status: 500 }, count: 1 });
    await h.send(session, 'paid');
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    const retries = h.relay.stores.log.listByOrder(session.merchantOrderId).filter((e) => e.kind === 'order_update_retry');
    expect(retries.map((e) => e.data?.code)).toEqual(['timeout', expect.stringMatching(/500|internal/)]);
  });

  it('a shop that is down is not hammered: three failed reads of a batch, then one cheap probe at a time, and no command loses an attempt', async () => {
    const sessions = Array.from({ length: 10 }, () => h.seed());
    for (const session of sessions) await h.send(session, 'paid');
    h.shop.faults.add({ path: /orders/, fault: { kind: 'status', status: 503 }, count: 1000 });
    const before = h.shop.requests.length;
    for (let pass = 0; pass < 5; pass += 1) await h.relay.worker.runOnce();
    // One read for the ten orders, three times; then the shop counts as down and nothing more is sent.
    const sent = () => h.shop.requests.slice(before);
    expect(sent().map((r) => `${r.method} ${r.path.replace(/^\/wp-json\/wc\/v3\//, '')} ${r.query.include?.split(',').length ?? ''}`)).toEqual(Array(3).fill('GET orders 10'));
    // The commands went back untried: their attempts are whole for when the shop returns.
    expect(h.sql.all(`SELECT attempts FROM outbox WHERE state = 'pending'`).map((row: { attempts: number }) => row.attempts)).toEqual(Array(10).fill(0));
    // Woken for a probe: one GET of a one-order page, nothing else.
    h.clock.advance(h.relay.worker.nextWakeAt()! - h.clock.now());
    await h.relay.worker.runOnce();
    expect(sent()).toHaveLength(4);
    expect(sent()[3]).toMatchObject({ method: 'GET', query: expect.objectContaining({ per_page: '1' }) });
    h.shop.faults.clear();
    await h.drain();
    for (const session of sessions) expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  });

  it('a timeout after the note was written does not add a second note on retry', async () => {
    const session = h.seed();
    h.shop.faults.add({ method: 'POST', path: /notes/, fault: { kind: 'apply_then_drop' }, count: 1 });
    await h.send(session, 'paid');
    await h.drain();
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    expect(h.relay.stores.outbox.counts()).toMatchObject({ pending: 0, dead: 0 });
  });

  it('permanent errors go to dead letter with the reason in the payment log', async () => {
    const session = h.seed();
    h.shop.faults.add({ path: /orders/, fault: { kind: 'status', status: 400, body: { code: 'woocommerce_rest_invalid_param', message: 'Invalid parameter(s): status', data: { status: 400 } } }, count: 1 });
    await h.send(session, 'paid');
    await h.drain();
    expect(h.relay.stores.outbox.counts().dead).toBe(1);
    const failed = h.relay.stores.log.listByOrder(session.merchantOrderId).find((e) => e.kind === 'order_update_failed');
    expect(failed?.message).toContain('was NOT updated');
    expect(h.relay.stores.alerts.listOpen(10)[0]).toMatchObject({ code: 'dead_letter', merchantOrderId: session.merchantOrderId });
  });

  it('never overwrites an order a person moved on: a note instead', async () => {
    const session = h.seed();
    h.shop.orders.setStatus(session.merchantOrderId, 'completed');
    await h.send(session, 'failed', { reason: 'card declined' });
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('completed');
    expect(h.ourNotes(session.merchantOrderId)[0]).toContain('left completed');
  });

  it('never writes to an order paid with another gateway', async () => {
    const session = h.seed();
    const other = h.shop.orders.createOrder({ total: '19.99', currency: 'EUR', payment_method: 'bacs' });
    h.sql.run('UPDATE payment_sessions SET merchant_order_id = ? WHERE id = ?', other, session.id);
    await h.send(session, 'paid');
    await h.drain();
    expect(h.shop.orders.getOrder(other)!.status).toBe('pending');
    expect(h.ourNotes(other)).toHaveLength(0);
    expect(h.relay.stores.outbox.counts().dead).toBe(1);
  });

  it('an event for a session the relay does not know is acknowledged, parked, and written nowhere', async () => {
    const session = h.seed();
    const answer = await h.send({ ...session, id: 'ps_unknown' }, 'paid');
    expect(answer.status).toBe(200);
    expect(answer.body.results[0].outcome).toBe('parked');
    expect(h.relay.stores.outbox.counts().pending).toBe(0);
    const shopCallsBefore = h.shop.requests.length;
    await h.drain();
    expect(h.shop.requests.length).toBe(shopCallsBefore);
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('pending');
    expect(h.relay.stores.log.listByOrder(session.merchantOrderId).map((e) => e.kind)).toEqual([]);
  });

  it('bad or missing signature: 401 and nothing from the body is stored', async () => {
    const session = h.seed();
    const body = JSON.stringify({ id: 'sbx_evt_forged', type: 'payment.paid', session_id: session.id, payment_id: 'x', amount: 1999, currency: 'EUR', livemode: false, created: 1 });
    expect((await h.post(body, { 'payrelay-sandbox-signature': 't=1,v1=deadbeef' })).status).toBe(401);
    expect((await h.post(body, {})).status).toBe(401);
    expect(h.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 0 });
    expect(h.sql.get('SELECT COUNT(*) AS n FROM webhook_rejections')).toEqual({ n: 2 });
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('created');
  });

  it('malformed: 400 with the reason; too large: 413; unknown provider: 404', async () => {
    // Unsigned garbage is refused for its signature first: nothing from an unverified body is even parsed.
    const garbage = await h.post('not json', { 'payrelay-sandbox-signature': '' });
    expect(garbage).toMatchObject({ status: 401, body: { error: { code: 'missing_signature' } } });
    const { signSandboxEvent } = await import('../../relay/src/providers/sandbox/sandbox-signature');
    const unsigned = '{"not":"an event"}';
    const malformed = await h.post(unsigned, { 'payrelay-sandbox-signature': signSandboxEvent('sandbox_test_secret_for_integration', unsigned, h.clock.now()) });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/sandbox event/);
    const large = await h.post('x'.repeat(300 * 1024), {});
    expect(large.status).toBe(413);
    const unknown = await h.post('{}', {}, 'paypal');
    expect(unknown.status).toBe(404);
  });

  it('the webhook path as providers write it: a trailing slash or a query string still lands; other methods and bad encoding are refused', async () => {
    const session = h.seed();
    const { signSandboxEvent } = await import('../../relay/src/providers/sandbox/sandbox-signature');
    const body = JSON.stringify({ id: 'sbx_evt_path', type: 'payment.paid', session_id: session.id, payment_id: 'sbx_pay_path', amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(h.clock.now() / 1000) });
    const post = (path: string) =>
      fetch(`${h.relay.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'payrelay-sandbox-signature': signSandboxEvent('sandbox_test_secret_for_integration', body, h.clock.now()) }, body });
    const slashed = await post('/webhooks/sandbox/?source=dashboard');
    expect(slashed.status).toBe(200);
    expect(((await slashed.json()) as { results: Array<{ outcome: string }> }).results[0].outcome).toBe('applied');
    expect((await (await post('/webhooks/sandbox')).json()) as { results: Array<{ outcome: string }> }).toMatchObject({ results: [{ outcome: 'duplicate' }] });
    const badEncoding = await post('/webhooks/%E0%A4%A');
    expect(badEncoding.status).toBe(400);
    expect(((await badEncoding.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    expect((await fetch(`${h.relay.url}/webhooks/sandbox`)).status).toBe(404);
    expect((await post('/webhooks/sandbox/extra')).status).toBe(404);
    expect(h.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 1 });
  });

  it('too large without a content-length (chunked): 413; a compressed body: 415, nothing stored', async () => {
    const http = await import('node:http');
    const url = new URL(`${h.relay.url}/webhooks/sandbox`);
    const send = (headers: Record<string, string>, chunks: string[]) =>
      new Promise<{ status: number; body: { error: { code: string } } }>((resolve, reject) => {
        const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
        });
        request.on('error', reject);
        for (const chunk of chunks) request.write(chunk);
        request.end();
      });
    const chunked = await send({ 'content-type': 'application/json' }, Array.from({ length: 30 }, () => 'x'.repeat(10 * 1024)));
    expect(chunked).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    const gzipped = await send({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, ['\x1f\x8b']);
    expect(gzipped).toMatchObject({ status: 415, body: { error: { code: 'unsupported_encoding' } } });
    expect(h.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 0 });
  });

  it('when the event cannot be stored the provider gets a 5xx and retries', async () => {
    const session = h.seed();
    // Another connection holds the write lock longer than the writer waits (PAYRELAY_DB_BUSY_TIMEOUT_MS).
    const release = h.holdWriteLock();
    const answer = await h.send(session, 'paid');
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('storage_unavailable');
    release();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('created');
    const retry = await h.send(session, 'paid');
    expect(retry.status).toBe(200);
  });

  it('writes to one order go in order, one at a time', async () => {
    const session = h.seed();
    await h.send(session, 'review', { reason: 'check' });
    await h.send(session, 'paid', { type: 'payment.review_approved' });
    await h.send(session, 'refunded', { refunded_amount: 1999 });
    await h.drain();
    const notes = h.ourNotes(session.merchantOrderId);
    expect(notes.map((n) => n.split(':')[0])).toEqual(['Payment of 19.99 EUR at Payrelay Sandbox needs a look', 'Review cleared at Payrelay Sandbox', 'Refunded at Payrelay Sandbox']);
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('refunded');
  });
});

/** PAYRELAY_INGEST_THREAD=0: the same path with the transactions in the HTTP thread's own group commit. */
describe('with the recorder thread turned off', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ PAYRELAY_INGEST_THREAD: '0' });
  });
  afterEach(async () => {
    await h.close();
  });

  it('paid, sent twice at the same moment: one inbox row, one note; and an event that cannot be stored gets 503', async () => {
    const session = h.seed();
    const answers = await Promise.all([h.send(session, 'paid', { id: 'sbx_evt_same' }), h.send(session, 'paid', { id: 'sbx_evt_same' })]);
    expect(answers.map((a) => a.body.results[0].outcome).sort()).toEqual(['applied', 'duplicate']);
    await h.drain();
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');

    const other = h.seed();
    const release = h.holdWriteLock();
    const refused = await h.send(other, 'paid');
    release();
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'storage_unavailable' } } });
    expect((await h.send(other, 'paid')).status).toBe(200);
  });
});
