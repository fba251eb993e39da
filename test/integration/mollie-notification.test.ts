import { recorded, startMollieStandIn } from '../helpers/mollie-stand-in';
import { startHarness, type Harness } from '../helpers/relay-harness';

/** Mollie's classic webhook carries only `id=tr_…` and no signature: the relay must ask Mollie before trusting anything. */
describe('Mollie: an unsigned notification is only a reason to ask', () => {
  let h: Harness;
  let mollie: Awaited<ReturnType<typeof startMollieStandIn>>;
  beforeEach(async () => {
    mollie = await startMollieStandIn();
    h = await startHarness({ MOLLIE_API_KEY: 'test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM', MOLLIE_API_BASE: mollie.url });
  });
  afterEach(async () => {
    await h.close();
    await mollie.close();
  });

  const notify = (id: string) => h.post(`id=${id}`, { 'content-type': 'application/x-www-form-urlencoded' }, 'mollie');
  const seedMollieSession = () =>
    h.seed({ provider: 'mollie', providerSessionId: 'tr_44aKxzEbr8', providerPaymentId: 'tr_44aKxzEbr8', amountMinor: 2000, method: 'bank_transfer' });

  it('a notification while the payment is still open changes nothing, whatever the caller hoped', async () => {
    const session = seedMollieSession();
    const answer = await notify('tr_44aKxzEbr8');
    expect(answer).toMatchObject({ status: 200, body: { received: true, notification: 'tr_44aKxzEbr8' } });
    await h.drain();
    expect(mollie.gets).toBe(1);
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('created');
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('pending');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(0);
  });

  it('paid at Mollie: notified twice at once, Mollie is asked once and the order is marked paid once with one note', async () => {
    const session = seedMollieSession();
    mollie.payment = recorded('payment-paid.json');
    const answers = await Promise.all([notify('tr_44aKxzEbr8'), notify('tr_44aKxzEbr8')]);
    expect(answers.map((answer) => answer.body.outcome).sort()).toEqual(['already_queued', 'queued']);
    await h.drain();
    expect(mollie.gets).toBe(1);
    const order = h.shop.orders.getOrder(session.merchantOrderId)!;
    expect(order.status).toBe('processing');
    expect(order.transactionId).toBe('tr_44aKxzEbr8');
    expect(h.ourNotes(session.merchantOrderId)).toEqual([expect.stringContaining('Payment received at Mollie: 20.00 EUR, payment tr_44aKxzEbr8.')]);
    const kinds = h.relay.stores.log.listByOrder(session.merchantOrderId).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'status_changed')).toHaveLength(1);
  });

  it('Mollie unreachable when the worker asks: retried, nothing applied until Mollie answers', async () => {
    const session = seedMollieSession();
    mollie.payment = recorded('payment-paid.json');
    mollie.down = true;
    await notify('tr_44aKxzEbr8');
    await h.relay.worker.runOnce();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('created');
    expect(h.relay.stores.outbox.counts().pending).toBe(1);
    const retry = h.relay.stores.log.listByOrder(session.merchantOrderId).find((e) => e.kind === 'order_update_retry');
    expect(retry?.message).toMatch(/^Could not ask Mollie about payment tr_44aKxzEbr8 \(/);
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(0);

    // Mollie answers again: the retry asks, learns it is paid, and the order is marked paid once.
    mollie.down = false;
    await h.drain();
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  });

  it('a Mollie chargeback records the money as gone: a refund record marked chargeback, the order refunded, once', async () => {
    const session = seedMollieSession();
    mollie.payment = recorded('payment-paid.json');
    await notify('tr_44aKxzEbr8');
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('processing');

    // The customer's bank reverses the payment: Mollie shows the running total charged back.
    mollie.payment = { ...recorded('payment-paid-with-chargebacks-link.json'), amountChargedBack: { value: '20.00', currency: 'EUR' } };
    await Promise.all([notify('tr_44aKxzEbr8'), notify('tr_44aKxzEbr8')]);
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('refunded');
    expect(h.shop.orders.refunds(session.merchantOrderId)).toEqual([expect.objectContaining({ amount: '20.00', reason: expect.stringContaining("Chargeback at Mollie: the customer's bank reversed 20.00 EUR") })]);
    const notes = h.ourNotes(session.merchantOrderId);
    expect(notes).toHaveLength(2);
    expect(notes[1]).toContain("It can still be contested in the Mollie Dashboard (the payment's Chargebacks).");
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'refunded', chargedBackMinor: 2000 });
  });

  it('a Mollie chargeback reversed after it refunded the order: the money is back, the order goes on hold with one note, never straight to processing', async () => {
    const session = seedMollieSession();
    mollie.payment = recorded('payment-paid.json');
    await notify('tr_44aKxzEbr8');
    await h.drain();
    const chargeback = { resource: 'chargeback', id: 'chb_n9z0tp', amount: { value: '20.00', currency: 'EUR' }, createdAt: '2018-03-14T17:00:52.0Z', reversedAt: null, paymentId: 'tr_44aKxzEbr8' };
    mollie.payment = { ...recorded('payment-paid-with-chargebacks-link.json'), amountChargedBack: { value: '20.00', currency: 'EUR' } };
    mollie.chargebacks = [chargeback];
    await notify('tr_44aKxzEbr8');
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('refunded');

    // The bank reverses the chargeback: Mollie's chargeback gets its reversedAt.
    mollie.chargebacks = [{ ...chargeback, reversedAt: '2018-03-20T09:00:00.0Z' }];
    await Promise.all([notify('tr_44aKxzEbr8'), notify('tr_44aKxzEbr8')]);
    await h.drain();
    await notify('tr_44aKxzEbr8');
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('on-hold');
    const notes = h.ourNotes(session.merchantOrderId);
    expect(notes).toHaveLength(3);
    expect(notes[2]).toContain("Chargeback reversed at Mollie: the customer's bank gave back 20.00 EUR");
    expect(notes[2]).toContain('may have been restocked');
    expect(h.relay.stores.sessions.get(session.id)).toMatchObject({ status: 'review', chargedBackMinor: 0 });
  });

  it('a Mollie payment that lists chargebacks without their amount puts the order on hold for a person', async () => {
    const session = seedMollieSession();
    mollie.payment = recorded('payment-paid.json');
    await notify('tr_44aKxzEbr8');
    await h.drain();
    mollie.payment = recorded('payment-paid-with-chargebacks-link.json');
    await notify('tr_44aKxzEbr8');
    await h.drain();
    expect(h.shop.orders.getOrder(session.merchantOrderId)!.status).toBe('on-hold');
    expect(h.ourNotes(session.merchantOrderId)[1]).toContain('Mollie lists a chargeback for this payment');
  });

  it('a notification body that is not a Mollie id is refused with the reason', async () => {
    const answer = await h.post('id=../../etc/passwd', { 'content-type': 'application/x-www-form-urlencoded' }, 'mollie');
    expect(answer.status).toBe(400);
    expect(h.relay.stores.outbox.counts().pending).toBe(0);
  });
});
