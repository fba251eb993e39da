import { REFUND_ANSWER_BUDGET_MS } from '../../relay/src/app/refund-order';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import { startPaypalHarness, TEST_PAYPAL_WEBHOOK_ID, type HeldFault, type PaypalStandIn } from '../helpers/paypal-stand-in';
import { paidPaypalOrder, paypalRefundWebhook, refundsAtPaypal, totalAtPaypal } from '../helpers/paypal-refunds';
import { signPaypal } from '../helpers/provider-signers';
import { askRelayToRefund, recordShopRefund, type Harness } from '../helpers/relay-harness';
import { TEST_STORE } from '../helpers/test-store';

/** What happens around the shop's refund while PayPal has not answered it yet. */
type Step =
  /** A 5.00 refund made in PayPal's dashboard (in PayPal's total from now on); its webhook is sent later. */
  | 'dashboard_refund'
  /** The dashboard refund's webhook, with PayPal's running total as it was when that refund was made. */
  | 'dashboard_webhook'
  /** PayPal's webhook for the shop's refund, with PayPal's total as it was when that refund was made. */
  | 'own_webhook'
  /** PayPal's answer to the shop's refund call leaves (as held: answered, lost or refused). */
  | 'answer'
  /** The same, and the outbox worker runs once before WooCommerce has removed its record after an error answer. */
  | 'answer_worker_first';

interface Ordering {
  name: string;
  /** When PayPal makes the shop's refund, and what becomes of its answer. */
  call: Pick<HeldFault, 'apply' | 'then'>;
  /** The shop's refund (default 10.00; 50.00 is all of the payment). */
  shopRefund?: string;
  steps: Step[];
  /** Final session.refundedMinor. */
  refunded: number;
  /** The refund records in WooCommerce, sorted. */
  records: string[];
  /** Our notes about refunds on the order. */
  notes: number;
  /** Final session status, where it is the point. */
  status?: PaymentSession['status'];
}

/**
 * Paid 50.00. The shop asks for a refund of 10.00, or of all 50.00 (counted at once, PayPal not answered yet) while a
 * 5.00 refund is made in PayPal's dashboard: every order of the two webhooks, the answer, a lost answer, a refusal,
 * and duplicates.
 * PayPal's dashboard refund carries no invoice_id, the shop's carries our key.
 */
describe(`a dashboard refund while a refund from the shop waits for PayPal's answer (${TEST_STORE})`, () => {
  let h: Harness;
  let paypal: PaypalStandIn;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    // Long enough that a held call is answered (or dropped) by the test, never by the relay's timeout.
    ({ h, paypal, close: stop } = await startPaypalHarness({ PAYRELAY_PROVIDER_TIMEOUT_MS: '10000' }));
  });
  afterAll(() => stop());

  async function post(body: string): Promise<void> {
    const answer = await h.post(body, signPaypal(TEST_PAYPAL_WEBHOOK_ID, body, h.clock.now()), 'paypal');
    expect(answer.status).toBe(200);
    await h.drain();
  }
  const refundNotes = (session: PaymentSession) => h.ourNotes(session.merchantOrderId).filter((n) => /refund/i.test(n));

  async function run(ordering: Ordering, session: PaymentSession) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    paypal.fault('/v2/payments/captures/', { released, ...ordering.call });
    const callsBefore = paypal.calls.length;
    const amount = ordering.shopRefund ?? '10.00';
    const wcRefund = recordShopRefund(h, session, amount);
    // WooCommerce marks an order refunded only once process_refund answered a full refund made (wc_create_refund);
    // its stand-in marks it with the record.
    const full = amount === '50.00';
    if (full) h.shop.orders.setStatus(session.merchantOrderId, 'processing');
    const answer = askRelayToRefund(h, session, { refund_id: wcRefund, amount, currency: 'EUR' });
    while (!paypal.calls.slice(callsBefore).some((c) => c.path.endsWith('/refund'))) await new Promise((resolve) => setTimeout(resolve, 5));
    // Each webhook is PayPal's as sent when its refund was made: its body is fixed then.
    const bodies = new Map<'dashboard' | 'own', string>();
    const ownMade = () => {
      const own = refundsAtPaypal(paypal, session).find((r) => r.invoiceId);
      if (own && !bodies.has('own')) bodies.set('own', paypalRefundWebhook(session, own, totalAtPaypal(paypal, session)));
    };
    ownMade();
    let answered = false;
    for (const step of ordering.steps) {
      if (step === 'dashboard_refund') {
        const refund = { id: `DASHBOARD-${session.merchantOrderId}`, value: '5.00', requestId: '', invoiceId: null };
        refundsAtPaypal(paypal, session).push(refund);
        bodies.set('dashboard', paypalRefundWebhook(session, refund, totalAtPaypal(paypal, session)));
      } else if (step === 'dashboard_webhook') {
        await post(bodies.get('dashboard')!);
      } else if (step === 'own_webhook') {
        await post(bodies.get('own')!);
      } else {
        release();
        const got = await answer;
        answered = true;
        ownMade();
        if (step === 'answer_worker_first') await h.relay.worker.runOnce();
        // WooCommerce deletes its refund record when process_refund answers an error.
        if (got.status >= 400) h.shop.shop.deleteRefund(Number(session.merchantOrderId), Number(wcRefund));
        else if (full) h.shop.orders.setStatus(session.merchantOrderId, 'refunded');
      }
    }
    expect(answered).toBe(true);
    await h.drain();
  }

  const made = { apply: 'on_arrival', then: 'answer' } as const;
  const madeLater = { apply: 'on_release', then: 'answer' } as const;
  const orderings: Ordering[] = [
    {
      name: 'dashboard webhook (total 5.00) before the answer: recorded at once, not left for a later webhook',
      call: madeLater,
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 1,
    },
    {
      name: 'dashboard webhook (total 5.00) before the answer, then the shop refund\'s own webhook (15.00)',
      call: madeLater,
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer', 'own_webhook'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 1,
    },
    {
      name: 'the same with every webhook delivered twice',
      call: madeLater,
      steps: ['dashboard_refund', 'dashboard_webhook', 'dashboard_webhook', 'answer', 'own_webhook', 'own_webhook'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 1,
    },
    {
      name: 'shop refund made first: its own webhook (10.00), the dashboard webhook (15.00), then the answer',
      call: made,
      steps: ['own_webhook', 'dashboard_refund', 'dashboard_webhook', 'answer'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 1,
    },
    {
      name: 'shop refund made first: the dashboard webhook (15.00) before its own webhook (10.00), then the answer',
      call: made,
      steps: ['dashboard_refund', 'dashboard_webhook', 'own_webhook', 'answer'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 1,
    },
    {
      name: 'shop refund made first: the dashboard webhook (15.00), the answer, then its own webhook (10.00)',
      call: made,
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer', 'own_webhook'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 1,
    },
    {
      name: 'dashboard refund made before the shop\'s, its webhook (5.00) only after the answer: the shop refund\'s webhook (15.00) brings it',
      call: madeLater,
      steps: ['dashboard_refund', 'answer', 'dashboard_webhook', 'own_webhook'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 1,
    },
    {
      name: 'dashboard refund after the answer (webhook 15.00): counted on top',
      call: madeLater,
      steps: ['answer', 'dashboard_refund', 'dashboard_webhook', 'own_webhook'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 1,
    },
    {
      name: 'dashboard webhook (5.00), then the shop refund\'s answer lost though PayPal made it: its webhook (15.00) puts its record back',
      call: { apply: 'on_release', then: 'drop' },
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer', 'own_webhook', 'own_webhook'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 2,
    },
    {
      name: 'shop refund made, the dashboard webhook (15.00) before its answer, then the answer lost: made, the shop keeps its record',
      call: { apply: 'on_arrival', then: 'drop' },
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer', 'own_webhook'],
      refunded: 1500, records: ['10.00', '5.00'], notes: 1,
    },
    {
      name: 'dashboard webhook (5.00), then PayPal refuses the shop\'s refund: the dashboard\'s 5.00 stays',
      call: { apply: 'never', then: 'refuse' },
      steps: ['dashboard_refund', 'dashboard_webhook', 'dashboard_webhook', 'answer'],
      refunded: 500, records: ['5.00'], notes: 1,
    },
    {
      name: 'dashboard webhook (5.00), then the shop refund\'s answer lost and PayPal never made it: the dashboard\'s 5.00 stays',
      call: { apply: 'never', then: 'drop' },
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer'],
      refunded: 500, records: ['5.00'], notes: 1,
    },
    // The shop's refund is all of the payment: counted, it makes the session refunded before PayPal answers. A
    // dashboard refund meanwhile leaves PayPal only 45.00, so ours is refused (or its answer lost, never made). The
    // shop holds our 50.00 record until then and has no room for the dashboard's: one note when its webhook comes,
    // its record (and a note) once ours is not made.
    {
      name: 'full refund from the shop: dashboard webhook (5.00) before the answer, then PayPal refuses ours (45.00 left): the dashboard\'s 5.00 is recorded',
      call: madeLater, shopRefund: '50.00',
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer'],
      refunded: 500, records: ['5.00'], notes: 2, status: 'paid',
    },
    {
      name: 'full refund from the shop: the dashboard webhook (5.00) twice, then PayPal refuses ours',
      call: { apply: 'never', then: 'refuse' }, shopRefund: '50.00',
      steps: ['dashboard_refund', 'dashboard_webhook', 'dashboard_webhook', 'answer'],
      refunded: 500, records: ['5.00'], notes: 2, status: 'paid',
    },
    {
      name: 'full refund from the shop: dashboard webhook (5.00), then the answer lost and PayPal never made ours: the dashboard\'s 5.00 is recorded',
      call: { apply: 'never', then: 'drop' }, shopRefund: '50.00',
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer'],
      refunded: 500, records: ['5.00'], notes: 2, status: 'paid',
    },
    {
      name: 'full refund from the shop: dashboard webhook (5.00), then PayPal refuses ours (45.00 left) and its answer is lost',
      call: { apply: 'on_release', then: 'drop' }, shopRefund: '50.00',
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer'],
      refunded: 500, records: ['5.00'], notes: 2, status: 'paid',
    },
    {
      name: 'full refund from the shop: dashboard webhook (5.00), PayPal refuses ours, and the worker writes before WooCommerce removed our record: it tries again',
      call: madeLater, shopRefund: '50.00',
      steps: ['dashboard_refund', 'dashboard_webhook', 'answer_worker_first'],
      refunded: 500, records: ['5.00'], notes: 2, status: 'paid',
    },
    {
      name: 'full refund from the shop: the dashboard webhook (5.00) only after PayPal refused ours',
      call: madeLater, shopRefund: '50.00',
      steps: ['dashboard_refund', 'answer', 'dashboard_webhook'],
      refunded: 500, records: ['5.00'], notes: 1, status: 'paid',
    },
    {
      name: 'full refund from the shop made: its own webhook (50.00) before the answer writes nothing new',
      call: made, shopRefund: '50.00',
      steps: ['own_webhook', 'answer'],
      refunded: 5000, records: ['50.00'], notes: 0, status: 'refunded',
    },
    {
      name: 'full refund from the shop made: its own webhook (50.00) twice after the answer writes nothing new',
      call: made, shopRefund: '50.00',
      steps: ['answer', 'own_webhook', 'own_webhook'],
      refunded: 5000, records: ['50.00'], notes: 0, status: 'refunded',
    },
  ];

  it.each(orderings)('$name', async (ordering) => {
    const session = paidPaypalOrder(h, paypal);
    await run(ordering, session);
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(ordering.refunded);
    expect(h.shop.orders.refunds(Number(session.merchantOrderId)).map((r) => r.amount).sort()).toEqual(ordering.records);
    expect(refundNotes(session)).toHaveLength(ordering.notes);
    if (ordering.status) expect(h.relay.stores.sessions.get(session.id)!.status).toBe(ordering.status);
  });

  it('another refund whose turn comes too late for PayPal\'s answer to reach WooCommerce within its wait is refused before anything is counted or asked', async () => {
    // The plugin waits 20 s; a refund PayPal made after WooCommerce gave up would have no record in the shop.
    const session = paidPaypalOrder(h, paypal);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    paypal.fault('/v2/payments/captures/', { released, apply: 'on_release', then: 'answer' });
    const refundCalls = () => paypal.calls.filter((c) => c.path === `/v2/payments/captures/${session.providerPaymentId}/refund`);
    const first = recordShopRefund(h, session, '10.00');
    const firstAnswer = askRelayToRefund(h, session, { refund_id: first, amount: '10.00', currency: 'EUR' });
    while (refundCalls().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = recordShopRefund(h, session, '5.00');
    const secondAnswer = askRelayToRefund(h, session, { refund_id: second, amount: '5.00', currency: 'EUR' });
    // The second waits for its turn (the lock's wait is real time) while PayPal takes 8.5 s by the relay's clock:
    // with the 10 s provider timeout, its own answer could come after 18 s.
    await new Promise((resolve) => setTimeout(resolve, 500));
    h.clock.advance(REFUND_ANSWER_BUDGET_MS - 10_000 + 500);
    release();
    expect(await firstAnswer).toMatchObject({ status: 201 });
    const late = await secondAnswer;
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'earlier_refund_in_flight', message: expect.stringMatching(/^This refund waited 9 s .* Nothing was refunded: try again now\.$/) } } });
    expect(late.headers.get('retry-after')).toBe('1');
    expect(refundCalls()).toHaveLength(1);
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1000);
    expect(h.relay.stores.refunds.get(session.merchantOrderId, second)).toBeNull();
    // Asked again at once, it is made.
    expect(await askRelayToRefund(h, session, { refund_id: second, amount: '5.00', currency: 'EUR' })).toMatchObject({ status: 201, body: { status: 'succeeded' } });
    expect(h.relay.stores.sessions.get(session.id)!.refundedMinor).toBe(1500);
  });
});
