import { STALE_AFTER_MINUTES, startE2E, type E2E } from '../helpers/e2e-relay';

/**
 * Issue 3, "Sessions over time": expiry asks the provider first, then cancels the order with an "expired" note;
 * reconciliation repairs a lost webhook and raises (once) an order the shop shows unpaid while the provider
 * says paid; the plugin's "check payment" answers paid/open before WooCommerce auto-cancels. Real relay over
 * HTTP, the sandbox and Stripe stand-ins as providers, the WooCommerce stand-in as the shop.
 */
describe('sessions over time: expiry, reconciliation, order check', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E();
  });
  afterEach(async () => {
    await e.close();
  });

  const MINUTE = 60_000;
  const kinds = (entries: Array<{ kind: string }>) => entries.map((entry) => entry.kind);
  /** A sandbox session for a fresh WooCommerce order, created the way the plugin does (wallets route to the sandbox). */
  async function sandboxSession(amountMinor = 1999): Promise<{ orderId: string; sessionId: string }> {
    const orderId = e.newOrder(amountMinor);
    const answer = await e.createSession(orderId, { method: 'wallet' });
    expect(answer).toMatchObject({ status: 201, json: { provider: 'sandbox' } });
    return { orderId, sessionId: answer.json.session_id };
  }
  const check = (orderId: string) => e.shopCall('POST', `/v1/orders/${orderId}/check`);

  describe('expiry', () => {
    it('an expired checkout leaves the order payable: the provider is asked first, then the order stays pending payment with an "expired" note (not failed)', async () => {
      const { orderId, sessionId } = await sandboxSession();
      e.h.clock.advance(59 * MINUTE);
      expect(await e.h.relay.runExpiry()).toMatchObject({ checked: 0 });

      e.h.clock.advance(2 * MINUTE);
      const report = await e.h.relay.runExpiry();
      expect(report).toMatchObject({ checked: 1, deferred: 0 });
      await e.h.drain();

      expect(e.session(sessionId).status).toBe('expired');
      const order = e.h.shop.orders.getOrder(orderId)!;
      // WooCommerce takes payment only on pending (or failed) orders: a cancelled one would be a dead end.
      expect(order.status).toBe('pending');
      const notes = e.h.ourNotes(orderId);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain('Payment session at Payrelay Sandbox expired before the customer paid (an abandoned checkout, not a decline)');
      expect(notes[0]).toContain('The checkout expired, the customer can still pay from the order page.');
      expect(notes[0]).not.toMatch(/failed|declined/i);
      // The provider was asked: its answer ("expired") is in the log before the order was written.
      const entries = (await e.timeline(orderId)).entries;
      const asked = entries.findIndex((entry) => entry.kind === 'webhook_received' && entry.message.startsWith('Checked at Payrelay Sandbox'));
      expect(asked).toBeGreaterThan(-1);
      expect(entries[asked].message).toContain('(expired)');
      expect(entries.findIndex((entry) => entry.kind === 'order_updated')).toBeGreaterThan(asked);
      expect(e.ledger.get(sessionId)!.status).toBe('expired');

      // Running it again changes nothing.
      expect(await e.h.relay.runExpiry()).toMatchObject({ checked: 0 });
      await e.h.drain();
      expect(e.h.ourNotes(orderId)).toHaveLength(1);
    });

    it('with PAYRELAY_CANCEL_ON_EXPIRY=1 an expired checkout cancels the order, and the note says it expired (not failed) and why', async () => {
      await e.close();
      e = await startE2E({ PAYRELAY_CANCEL_ON_EXPIRY: '1' });
      const { orderId, sessionId } = await sandboxSession();
      e.h.clock.advance(61 * MINUTE);
      expect(await e.h.relay.runExpiry()).toMatchObject({ checked: 1 });
      await e.h.drain();
      expect(e.session(sessionId).status).toBe('expired');
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('cancelled');
      const notes = e.h.ourNotes(orderId);
      expect(notes).toEqual([expect.stringContaining('expired before the customer paid')]);
      expect(notes[0]).toContain('PAYRELAY_CANCEL_ON_EXPIRY=1');
      expect(notes[0]).not.toMatch(/failed|declined|can still pay/i);
    });

    it('paid at the last second (webhook not here yet): expiry asks the provider and records paid, not expired', async () => {
      const { orderId, sessionId } = await sandboxSession();
      e.ledger.record(sessionId, { status: 'paid', reason: 'paid with the sandbox test card' }, e.h.clock.now());
      e.h.clock.advance(61 * MINUTE);

      const report = await e.h.relay.runExpiry();
      expect(report).toMatchObject({ checked: 1, expired: 0, settledAtProvider: 1 });
      await e.h.drain();

      expect(e.session(sessionId).status).toBe('paid');
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
      expect(e.h.ourNotes(orderId)).toEqual([expect.stringContaining('Payment received at Payrelay Sandbox: 19.99 EUR')]);
    });

    it('a provider that still shows the session open past our expiry: the relay records expired and closes it at the provider', async () => {
      const orderId = e.newOrder();
      const created = await e.createSession(orderId, { method: 'card' });
      expect(created.json.provider).toBe('stripe');
      const stripeSessionId = e.session(created.json.session_id).providerSessionId!;
      e.h.clock.advance(61 * MINUTE);

      const report = await e.h.relay.runExpiry();
      expect(report).toMatchObject({ checked: 1, expired: 1, settledAtProvider: 0 });
      await e.h.drain();

      expect(e.stripe.expired).toEqual([stripeSessionId]);
      expect(e.session(created.json.session_id).status).toBe('expired');
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('pending');
      expect(e.h.ourNotes(orderId)).toEqual([expect.stringContaining('Payment session at Stripe expired before the customer paid')]);
      const entries = (await e.timeline(orderId)).entries as Array<{ kind: string; message: string }>;
      expect(kinds(entries)).toContain('session_expired');
      // The relay's own job is named as such, not shown as a message from Stripe with an internal event type.
      expect(entries.filter((entry) => entry.kind === 'webhook_received').map((entry) => entry.message)).toContainEqual(
        expect.stringMatching(/^Payrelay expiry job: the Stripe payment page expired without payment \(no payment before /),
      );
      expect(entries.filter((entry) => entry.message.includes('payrelay.session_expired'))).toEqual([]);
      expect(e.h.ourNotes(orderId)[0]).toContain('the customer can still pay from the order page');
      const expiredEntry = entries.find((entry) => entry.kind === 'session_expired');
      expect(expiredEntry?.message).toContain('(not a decline); the order stays pending payment and the customer can still pay from the order page');
    });
  });

  describe('while the shop is down', () => {
    it('an expired session is still closed at the provider; only the shop write waits for the shop', async () => {
      const orderId = e.newOrder();
      const created = await e.createSession(orderId, { method: 'card' });
      const stripeSessionId = e.session(created.json.session_id).providerSessionId!;
      e.h.clock.advance(61 * MINUTE);

      // The shop goes down and three reads of the three paid orders fail: the commands go back untried and the
      // worker pauses shop writes.
      e.h.shop.faults.add({ path: /orders/, fault: { kind: 'status', status: 503 }, count: 1000 });
      const paid = await Promise.all([1, 2, 3].map(() => sandboxSession()));
      for (const { sessionId } of paid) expect(await e.click(sessionId, 'pay')).toBe(303);
      for (let pass = 0; pass < 3; pass += 1) expect(await e.h.relay.worker.runOnce()).toBe(0);
      const shopCalls = e.h.shop.requests.length;

      expect(await e.h.relay.runExpiry()).toMatchObject({ expired: 1 });
      expect(await e.h.relay.worker.runOnce()).toBe(1);
      // Closed at Stripe during the pause (the customer can no longer pay on it); the shop was not called.
      expect(e.stripe.expired).toEqual([stripeSessionId]);
      expect(e.h.shop.requests.length).toBe(shopCalls);
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('pending');

      expect(e.h.ourNotes(orderId)).toHaveLength(0);

      e.h.shop.faults.clear();
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('pending');
      expect(e.h.ourNotes(orderId)).toEqual([expect.stringContaining('the customer can still pay from the order page')]);
      for (const { orderId: paidOrder } of paid) expect(e.h.shop.orders.getOrder(paidOrder)!.status).toBe('processing');
    });
  });

  describe('reconciliation', () => {
    it('a lost webhook: the sandbox says paid, no webhook arrived; after the stale threshold reconciliation repairs the order', async () => {
      const { orderId, sessionId } = await sandboxSession();
      // The sandbox's own records say paid, but its webhook never reached the relay.
      e.ledger.record(sessionId, { status: 'paid', reason: 'paid with the sandbox test card' }, e.h.clock.now());

      e.h.clock.advance((STALE_AFTER_MINUTES - 1) * MINUTE);
      expect(await e.h.relay.runReconcile()).toMatchObject({ lookedUp: 0, repaired: 0 });
      expect(e.session(sessionId).status).toBe('created');

      e.h.clock.advance(2 * MINUTE);
      expect(await e.h.relay.runReconcile()).toMatchObject({ lookedUp: 1, repaired: 1, providerErrors: 0 });
      await e.h.drain();

      expect(e.session(sessionId).status).toBe('paid');
      const order = e.h.shop.orders.getOrder(orderId)!;
      expect(order.status).toBe('processing');
      expect(order.transactionId).toBe(`sbx_pay_${sessionId}`);
      const reconciled = (await e.timeline(orderId)).entries.filter((entry) => entry.kind === 'reconciled');
      expect(reconciled).toEqual([
        expect.objectContaining({ session_id: sessionId, provider: 'sandbox', message: expect.stringContaining('the webhook for it never arrived') }),
      ]);
      expect(e.h.ourNotes(orderId)).toHaveLength(1);

      // The next pass finds nothing left to repair, and writes nothing.
      e.h.clock.advance(20 * MINUTE);
      expect(await e.h.relay.runReconcile()).toMatchObject({ repaired: 0, raised: 0 });
      await e.h.drain();
      expect(e.h.ourNotes(orderId)).toHaveLength(1);
    });

    it('a session still open at the provider is left alone (nothing to repair, no note)', async () => {
      const { orderId, sessionId } = await sandboxSession();
      e.h.clock.advance((STALE_AFTER_MINUTES + 1) * MINUTE);
      expect(await e.h.relay.runReconcile()).toMatchObject({ lookedUp: 1, repaired: 0 });
      await e.h.drain();
      expect(e.session(sessionId).status).toBe('created');
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('pending');
      expect(e.h.ourNotes(orderId)).toHaveLength(0);
    });

    it.each(['cancelled', 'pending'])(
      'the relay says paid but the shop shows %s (a person changed it): the money is recorded again (a cancelled order on hold, its stock may be back on sale), raised to the merchant as an alert and a note, once',
      async (shopStatus) => {
        const { orderId, sessionId } = await sandboxSession();
        expect(await e.click(sessionId, 'pay')).toBe(303);
        await e.h.drain();
        expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
        e.h.shop.orders.setStatus(orderId, shopStatus);

        expect(await e.h.relay.runReconcile()).toMatchObject({ raised: 1 });
        await e.h.drain();
        // Money was taken, so paid wins; the note tells the merchant to check stock before shipping. A cancelled
        // order is not reopened as processing: it goes on hold for the merchant to ship or refund.
        expect(e.h.shop.orders.getOrder(orderId)!.status).toBe(shopStatus === 'cancelled' ? 'on-hold' : 'processing');

        // The person sets it back again: the same mismatch is not raised a second time.
        e.h.shop.orders.setStatus(orderId, shopStatus);
        expect(await e.h.relay.runReconcile()).toMatchObject({ raised: 0 });
        await e.h.drain();
        expect(await e.h.relay.runReconcile()).toMatchObject({ raised: 0 });
        await e.h.drain();

        const diagnostics = await e.shopCall('GET', '/v1/diagnostics');
        expect(diagnostics.status).toBe(200);
        const alerts = diagnostics.json.alerts.filter((alert: { order_id: string }) => alert.order_id === orderId);
        expect(alerts).toEqual([
          expect.objectContaining({ code: 'paid_not_in_shop', message: expect.stringContaining(`the shop shows it ${shopStatus}`) }),
        ]);
        const reconciliationNotes = e.h.ourNotes(orderId).filter((note) => note.startsWith('Payrelay reconciliation:'));
        expect(reconciliationNotes).toHaveLength(1);
        expect(reconciliationNotes[0]).toContain(`says order ${orderId} is paid (19.99 EUR, payment sbx_pay_${sessionId}) but the shop shows it ${shopStatus}`);
        expect(reconciliationNotes[0]).toContain('check stock before shipping');
        expect(kinds((await e.timeline(orderId)).entries).filter((kind) => kind === 'alert')).toHaveLength(1);
      },
    );

    it('an order with two recent sessions (expired, then paid on a new attempt) is read from the shop once and raises nothing', async () => {
      const { orderId, sessionId: first } = await sandboxSession();
      e.h.clock.advance(61 * MINUTE);
      await e.h.relay.runExpiry();
      await e.h.drain();
      expect(e.session(first).status).toBe('expired');
      const retry = await e.createSession(orderId, { method: 'wallet' });
      expect(retry.status).toBe(201);
      expect(await e.click(retry.json.session_id, 'pay')).toBe(303);
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');

      const readsBefore = e.h.shop.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/orders/${orderId}`)).length;
      expect(await e.h.relay.runReconcile()).toMatchObject({ comparedWithShop: 2, raised: 0, shopErrors: 0 });
      expect(e.h.shop.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/orders/${orderId}`)).length - readsBefore).toBe(1);
    });

    it('an order a person marked paid by hand while the relay saw it expire: reported in a note, never overwritten', async () => {
      const { orderId, sessionId } = await sandboxSession();
      e.h.clock.advance(61 * MINUTE);
      await e.h.relay.runExpiry();
      await e.h.drain();
      expect(e.session(sessionId).status).toBe('expired');
      e.h.shop.orders.setStatus(orderId, 'processing');

      expect(await e.h.relay.runReconcile()).toMatchObject({ raised: 1 });
      await e.h.drain();
      await e.h.relay.runReconcile();
      await e.h.drain();

      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
      const notes = e.h.ourNotes(orderId).filter((note) => note.startsWith('Payrelay reconciliation:'));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain('It was changed in the shop; Payrelay leaves it as it is');
    });
  });

  describe('POST /v1/orders/:id/check (the plugin asks before WooCommerce auto-cancels an unpaid order)', () => {
    it('an open, unpaid session: not paid, still open (do not cancel yet)', async () => {
      const { orderId, sessionId } = await sandboxSession();
      const answer = await check(orderId);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        order_id: orderId,
        status: 'created',
        paid: false,
        open: true,
        sessions: [{ session_id: sessionId, provider: 'sandbox', status: 'created', checked: 'provider' }],
      });
    });

    it('paid at the provider but the webhook is lost: paid, and the order is repaired', async () => {
      const { orderId, sessionId } = await sandboxSession();
      e.ledger.record(sessionId, { status: 'paid' }, e.h.clock.now());
      const answer = await check(orderId);
      expect(answer.json).toMatchObject({ status: 'paid', paid: true, open: false, sessions: [{ session_id: sessionId, status: 'paid', checked: 'provider' }] });
      await e.h.drain();
      expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('processing');
    });

    it('past expiry and unpaid: not paid, not open (the shop may cancel)', async () => {
      const { orderId } = await sandboxSession();
      e.h.clock.advance(61 * MINUTE);
      const answer = await check(orderId);
      expect(answer.json).toMatchObject({ status: 'expired', paid: false, open: false });
    });

    it('an order the relay knows nothing about: status none, not open; and an unsigned call is refused', async () => {
      const answer = await check('999999');
      expect(answer.json).toEqual({ order_id: '999999', status: 'none', paid: false, open: false, sessions: [] });
      const unsigned = await fetch(`${e.h.relay.url}/v1/orders/999999/check`, { method: 'POST' });
      expect(unsigned.status).toBe(401);
    });
  });
});
