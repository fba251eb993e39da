import fs from 'node:fs';
import path from 'node:path';
import { startE2E, type E2E } from '../helpers/e2e-relay';
import { PROVIDER_FIXTURES, signStripe } from '../helpers/provider-signers';

const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_standin_0000000000';
const MINUTE = 60_000;

/**
 * Issue 12 item 3: an event from the other mode (live vs test) for a session this relay created is ignored, and
 * that must never be silent: an alert is raised, and the expiry sweep holds the session instead of cancelling an
 * order the customer may have paid. The real relay in test mode over HTTP, the Stripe stand-in, the shop stand-in.
 */
describe('live and test mode cannot silently disagree', () => {
  let e: E2E;
  beforeEach(async () => {
    e = await startE2E();
  });
  afterEach(async () => {
    await e.close();
  });

  /** A Stripe session for a fresh order, and a signed live-mode "paid" for it. */
  async function paidInLiveMode(eventId: string): Promise<{ orderId: string; sessionId: string; raw: string; status: number; body: any }> {
    const orderId = e.newOrder(2500);
    const created = await e.createSession(orderId, { method: 'card' }, `live-${eventId}`);
    expect(created).toMatchObject({ status: 201, json: { provider: 'stripe' } });
    const sessionId: string = created.json.session_id;
    const stripeSessionId = e.session(sessionId).providerSessionId!;
    const event = JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'stripe', 'events', 'composed-from-openapi-fixtures', 'checkout.session.completed.json'), 'utf8'));
    event.id = eventId;
    event.livemode = true;
    event.created = Math.floor(e.h.clock.now() / 1000);
    // The provider's side too: paid, in live mode, so asking Stripe gives the same mismatched answer.
    const paid = Object.assign(e.stripe.sessions.get(stripeSessionId)!, { status: 'complete', payment_status: 'paid', payment_intent: 'pi_live_paid', livemode: true });
    event.data.object = { ...paid };
    const body = JSON.stringify(event);
    const delivered = await e.h.post(body, signStripe(STRIPE_WEBHOOK_SECRET, body, e.h.clock.now()), 'stripe');
    return { orderId, sessionId, raw: body, ...delivered };
  }

  it('an event ignored for its mode raises an alert', async () => {
    const { orderId, sessionId, status, body } = await paidInLiveMode('evt_live_for_test_relay');
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ outcome: 'ignored', status: 'created' });
    await e.h.drain();
    expect(e.h.shop.orders.getOrder(orderId)!.status).toBe('pending');

    const alerts = (await e.shopCall('GET', '/v1/alerts')).json.alerts;
    expect(alerts).toEqual([expect.objectContaining({ order_id: orderId, session_id: sessionId, code: 'mode_mismatch' })]);
    expect(alerts[0].message).toBe(
      `Order ${orderId}: Stripe sent a live-mode event to a relay running in test mode (checkout.session.completed, evt_live_for_test_relay), so the relay ignored it. ` +
        "If the customer paid, the money is real: check the payment at Stripe, then make the relay's provider keys and PAYRELAY_MODE agree. This session will not be expired.",
    );
  });

  it('the same mismatched event delivered twice raises one alert', async () => {
    const first = await paidInLiveMode('evt_live_twice');
    expect(first.status).toBe(200);
    const again = await e.h.post(first.raw, signStripe(STRIPE_WEBHOOK_SECRET, first.raw, e.h.clock.now()), 'stripe');
    expect(again.body.results[0]).toMatchObject({ outcome: 'duplicate' });
    expect(e.h.relay.stores.alerts.listOpen(10).filter((alert) => alert.code === 'mode_mismatch')).toHaveLength(1);
  });

  it('the expiry sweep never cancels a session that had a mode-mismatched event: it is held for review, with a note', async () => {
    const { orderId, sessionId } = await paidInLiveMode('evt_live_then_expiry');
    e.h.clock.advance(61 * MINUTE);

    const report = await e.h.relay.runExpiry();
    expect(report).toMatchObject({ checked: 1, expired: 0, heldForModeMismatch: 1 });
    await e.h.drain();

    expect(e.session(sessionId).status).toBe('review');
    const order = e.h.shop.orders.getOrder(orderId)!;
    expect(order.status).toBe('on-hold');
    expect(e.h.ourNotes(orderId)).toEqual([
      expect.stringContaining('Payment of 25.00 EUR at Stripe needs a look: Stripe sent live-mode events for this session while the relay runs in test mode'),
    ]);
    // Still payable at Stripe: nothing was closed there, and nothing says expired anywhere.
    expect(e.stripe.expired).toEqual([]);
    expect((await e.timeline(orderId)).entries.map((entry) => entry.kind)).not.toContain('session_expired');

    // The next sweep has nothing left to do, and the alert is still there for a person.
    expect(await e.h.relay.runExpiry()).toMatchObject({ checked: 0 });
    expect(e.h.relay.stores.alerts.listOpen(10)).toEqual([expect.objectContaining({ code: 'mode_mismatch', sessionId })]);
  });

  it('a session whose events all match the mode still expires as before', async () => {
    const orderId = e.newOrder(2500);
    const created = await e.createSession(orderId, { method: 'card' }, 'plain-expiry');
    e.h.clock.advance(61 * MINUTE);
    expect(await e.h.relay.runExpiry()).toMatchObject({ checked: 1, expired: 1, heldForModeMismatch: 0 });
    expect(e.session(created.json.session_id).status).toBe('expired');
    expect(e.h.relay.stores.alerts.listOpen(10)).toEqual([]);
  });
});
