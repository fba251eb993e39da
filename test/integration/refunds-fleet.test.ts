import fs from 'node:fs';
import path from 'node:path';
import { openPostgres } from '../../relay/src/adapters/postgres/open-postgres';
import { connectPg, type PgDb } from '../../relay/src/adapters/postgres/pg-database';
import { createPostgresSessionStore } from '../../relay/src/adapters/postgres/postgres-session-store';
import type { PaymentSession } from '../../relay/src/domain/payment-session';
import { signShopRequest } from '../../relay/src/http/request-signature';
import { aSession } from '../helpers/builders';
import { startPaypalStandIn, TEST_PAYPAL_WEBHOOK_ID, type PaypalStandIn } from '../helpers/paypal-stand-in';
import { startAdyenStandIn, type AdyenPayment, type ApiStandIn } from '../helpers/provider-api-stand-ins';
import { ADYEN_TEST_HMAC_KEY, PROVIDER_FIXTURES, signedAdyenNotification } from '../helpers/provider-signers';
import { freePort, startRelayProcess, type RelayProcess } from '../helpers/relay-process';
import { createTestSchema, TEST_STORE, type TestSchema } from '../helpers/test-store';
import { startWooCommerceStandIn, type WooCommerceStandIn } from '../helpers/woocommerce-stand-in';

const SHOP_SECRET = 'refunds_fleet_shop_secret_0123456789';

/**
 * Refunds the shop asks for, on two relay processes sharing one PostgreSQL database: one order's refunds take
 * turns across the fleet, from the check of what is left to PayPal's answer, and a refund webhook recorded on one
 * relay while the other counts a refund neither loses the other's count. Processes, not two relays in this
 * one: a relay's database calls are synchronous, so two in one process never overlap and could not show the race.
 * On SQLite one relay owns the file, so this suite runs in the PostgreSQL pass only.
 */
const onPostgres = TEST_STORE === 'postgres' ? describe : describe.skip;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type AdyenStandIn = ApiStandIn & { payments: Map<string, AdyenPayment>; addPayment(psp: string, value: number, currency?: string): void };
const adyenItemTemplate = () => JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'adyen', 'notifications', 'openapi-examples', 'REFUND_FAILED.json'), 'utf8')).notificationItems[0].NotificationRequestItem;

onPostgres('refunds on a fleet: two relays on one PostgreSQL database', () => {
  let shop: WooCommerceStandIn;
  let paypal: PaypalStandIn;
  let adyen: AdyenStandIn;
  let schema: TestSchema;
  let db: PgDb;
  const relays: Array<RelayProcess & { url: string }> = [];

  beforeAll(async () => {
    shop = await startWooCommerceStandIn();
    paypal = await startPaypalStandIn();
    adyen = await startAdyenStandIn();
    schema = createTestSchema();
    db = openPostgres(schema.url);
    for (let i = 0; i < 2; i += 1) {
      const port = await freePort();
      const relay = startRelayProcess(
        {
          PAYRELAY_PORT: String(port),
          PAYRELAY_HOST: '127.0.0.1',
          PAYRELAY_DATABASE_URL: schema.url,
          PAYRELAY_DB_BUSY_TIMEOUT_MS: '5000',
          WC_URL: shop.url,
          WC_CONSUMER_KEY: shop.consumerKey,
          WC_CONSUMER_SECRET: shop.consumerSecret,
          PAYRELAY_SHOP_SECRET: SHOP_SECRET,
          PAYPAL_CLIENT_ID: 'client-id',
          PAYPAL_CLIENT_SECRET: 'client-secret',
          PAYPAL_WEBHOOK_ID: TEST_PAYPAL_WEBHOOK_ID,
          PAYPAL_API_BASE: paypal.url,
          // Adyen as well: its notifications are signed with a key the relays can be given (PayPal's need PayPal's certificates).
          ADYEN_API_KEY: 'AQE_fleet_refund_key',
          ADYEN_MERCHANT_ACCOUNT: 'PayrelayShop_ECOM',
          ADYEN_HMAC_KEY: ADYEN_TEST_HMAC_KEY,
          ADYEN_API_BASE: adyen.url,
          // A hung provider call is an answer lost after 2 s on the second relay: well within the other relay's wait
          // for its turn (REFUND_TURN_WAIT_MS, 5 s), which the third test needs. The first relay waits a minute, so
          // whatever a busy machine delays, its answer is never lost before the test has it lost (the stand-in's 500)
          // or kills it while it waits: a test that needs an answer lost sooner asks the second relay.
          PAYRELAY_PROVIDER_TIMEOUT_MS: i === 0 ? '60000' : '2000',
          PAYRELAY_LOG_LEVEL: 'error',
        },
        { inherit: true },
      );
      relays.push({ ...relay, url: `http://127.0.0.1:${port}` });
    }
    await Promise.all(relays.map((relay) => relay.listening));
  }, 60_000);
  afterAll(async () => {
    relays.forEach((relay) => relay.child.kill('SIGKILL'));
    await Promise.all(relays.map((relay) => relay.exited));
    await paypal?.close();
    await adyen?.close();
    await shop?.close();
    db?.close();
    schema?.drop();
  });

  let seq = 0;
  /** A PayPal payment of 25.00 EUR, captured, as the relays know it. */
  function paidPaypalOrder(): PaymentSession {
    seq += 1;
    const merchantOrderId = shop.orders.createOrder({ total: '25.00', currency: 'EUR', payment_method: 'payrelay' });
    const session = aSession({
      id: `ps_fleet_refund_${seq}`,
      merchantOrderId,
      provider: 'paypal',
      providerSessionId: `5O19FL${seq}TN364715T`,
      providerPaymentId: `3C6FL${seq}HH908993F`,
      method: 'wallet',
      amountMinor: 2500,
      status: 'paid',
      createdAt: Date.now(),
      expiresAt: Date.now() + 3600_000,
      updatedAt: Date.now(),
    });
    createPostgresSessionStore(db).insert({ ...session, idempotencyKey: null, attempt: 1 });
    paypal.addApprovedOrder({ id: session.providerSessionId!, customId: session.id, referenceId: merchantOrderId, value: '25.00', status: 'COMPLETED', captureId: session.providerPaymentId! });
    return session;
  }

  /** The plugin's refund request to one relay of the fleet. */
  async function askRelay(relay: { url: string }, session: PaymentSession, refundId: string, amount: string): Promise<{ status: number; body: any }> {
    const pathname = `/v1/orders/${session.merchantOrderId}/refunds`;
    const raw = JSON.stringify({ refund_id: refundId, amount, currency: 'EUR' });
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(`${relay.url}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-payrelay-timestamp': String(timestamp), 'x-payrelay-signature': signShopRequest(SHOP_SECRET, timestamp, 'POST', pathname, raw) },
      body: raw,
    });
    return { status: response.status, body: await response.json() };
  }

  let adyenSeq = 0;
  /** An Adyen payment of 25.00 EUR, captured, as the relays know it. */
  function paidAdyenOrder(): PaymentSession {
    adyenSeq += 1;
    const merchantOrderId = shop.orders.createOrder({ total: '25.00', currency: 'EUR', payment_method: 'payrelay' });
    const session = aSession({
      id: `ps_fleet_adyen_${adyenSeq}`,
      merchantOrderId,
      provider: 'adyen',
      providerSessionId: `PLFLEET${adyenSeq}A1B2C3`,
      providerPaymentId: `PSPFLEET${String(adyenSeq).padStart(8, '0')}`,
      amountMinor: 2500,
      status: 'paid',
      createdAt: Date.now(),
      expiresAt: Date.now() + 3600_000,
      updatedAt: Date.now(),
    });
    createPostgresSessionStore(db).insert({ ...session, idempotencyKey: null, attempt: 1 });
    adyen.addPayment(session.providerPaymentId!, 2500, 'EUR');
    return session;
  }

  /**
   * Adyen's REFUND notification to one relay: by default for a refund made in its Customer Area (the payment's own
   * reference); `reference`: the one the relay sent with its refund request.
   */
  async function adyenRefundNotification(relay: { url: string }, session: PaymentSession, fields: { psp: string; value: number; reference?: string }): Promise<{ status: number; body: string }> {
    const item = { ...adyenItemTemplate(), eventCode: 'REFUND', success: 'true', pspReference: fields.psp, originalReference: session.providerPaymentId, merchantReference: fields.reference ?? session.id, merchantAccountCode: 'PayrelayShop_ECOM', amount: { value: fields.value, currency: 'EUR' }, reason: '', additionalData: {} };
    const response = await fetch(`${relay.url}/webhooks/adyen`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: signedAdyenNotification([item]) });
    return { status: response.status, body: await response.text() };
  }

  const refundCalls = (session: PaymentSession) => paypal.calls.filter((c) => c.path === `/v2/payments/captures/${session.providerPaymentId}/refund`);
  const paypalRefundedMinor = (session: PaymentSession) => paypal.orders.get(session.providerSessionId!)!.refunds.reduce((sum, r) => sum + Math.round(Number(r.value) * 100), 0);
  const refundedMinor = (session: PaymentSession) => db.get<{ n: number }>('SELECT refunded_minor AS n FROM payment_sessions WHERE id = $1', [session.id])!.n;
  const refundState = (session: PaymentSession, shopRefundId: string) =>
    db.get<{ state: string }>('SELECT state FROM shop_refunds WHERE merchant_order_id = $1 AND shop_refund_id = $2', [session.merchantOrderId, shopRefundId])?.state;
  /** Connections of the relays waiting for the lock on shop_refunds (this schema's table). */
  const waitingForRefundRows = () => db.get<{ n: number }>("SELECT COUNT(*) AS n FROM pg_locks WHERE relation = 'shop_refunds'::regclass AND NOT granted")!.n;
  /** The connection of a relay whose webhook transaction waits to record its event (webhook_events held by a test), or null. */
  const waitingToRecord = () => db.get<{ pid: number }>("SELECT pid FROM pg_locks WHERE relation = 'webhook_events'::regclass AND NOT granted LIMIT 1")?.pid ?? null;
  /** How many connections wait for a lock that connection `pid` holds. */
  const waitingBehind = (pid: number) => db.get<{ n: number }>('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))', [pid])!.n;
  const until = async (done: () => boolean, what: string, limitMs = 10_000) => {
    const stop = Date.now() + limitMs;
    while (!done()) {
      if (Date.now() > stop) throw new Error(`gave up waiting: ${what}`);
      await sleep(10);
    }
  };

  /**
   * Refund `firstAmount` on relay 0 (WooCommerce refund wc-1) and `secondAmount` on relay 1 (wc-2) at the same moment:
   * another connection holds back every new refund row until both requests are in the relays, so without turns both
   * have checked what is left and wait to count their refund.
   */
  const askBothWhileRefundRowsHeld = async (session: PaymentSession, firstAmount: string, secondAmount: string) => {
    const blocker = connectPg(schema.url);
    blocker.exec('BEGIN; LOCK TABLE shop_refunds IN EXCLUSIVE MODE');
    const answers = Promise.all([askRelay(relays[0], session, 'wc-1', firstAmount), askRelay(relays[1], session, 'wc-2', secondAmount)]);
    try {
      await until(() => waitingForRefundRows() >= 1, 'a relay to reach the refund row');
      // The other relay has its request by now: it waits for its turn, or (without turns) for the row as well.
      const stop = Date.now() + 700;
      await until(() => waitingForRefundRows() >= 2 || Date.now() > stop, 'the second relay');
    } finally {
      blocker.exec('COMMIT');
      blocker.close();
    }
    return answers;
  };

  it('both relays asked at once for more than was paid in all: PayPal refunds once, the other is refused with what is left, and the refunded total is PayPal\'s', async () => {
    const session = paidPaypalOrder();
    const [first, second] = await askBothWhileRefundRowsHeld(session, '20.00', '15.00');
    expect([first.status, second.status].sort()).toEqual([201, 422]);
    const refused = first.status === 422 ? first : second;
    expect(refused.body.error).toMatchObject({ code: 'amount_exceeds_remaining', message: expect.stringMatching(/^Only (5|10)\.00 EUR of this payment is left to refund/) });
    expect(refundCalls(session)).toHaveLength(1);
    expect(refundedMinor(session)).toBe(paypalRefundedMinor(session));
  });

  it('two refunds that both fit, asked at once on the two relays: both made, and the refunded total counts both (neither count overwrites the other)', async () => {
    const session = paidPaypalOrder();
    expect((await askBothWhileRefundRowsHeld(session, '10.00', '5.00')).map((a) => a.status)).toEqual([201, 201]);
    expect(paypalRefundedMinor(session)).toBe(1500);
    expect(refundedMinor(session)).toBe(1500);
  });

  it('a refund asked on one relay while the other relay\'s call to PayPal for the order is unanswered: no second call to PayPal', async () => {
    const session = paidPaypalOrder();
    paypal.fault(`/v2/payments/captures/${session.providerPaymentId}/refund`, 'hang');
    const firstAnswer = askRelay(relays[1], session, 'wc-1', '10.00');
    await until(() => refundCalls(session).length === 1, 'the first relay to call PayPal');
    const [lost, refused] = await Promise.all([firstAnswer, askRelay(relays[0], session, 'wc-2', '5.00')]);
    expect(lost).toMatchObject({ status: 502, body: { error: { code: 'provider_unavailable' } } });
    // Its turn came once the first relay's answer was lost; that refund may still be being made at PayPal.
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'earlier_refund_in_flight', message: expect.stringContaining('(WooCommerce refund wc-1)') } } });
    expect(refundCalls(session)).toHaveLength(1);
    expect(refundedMinor(session)).toBe(0);
  });

  /**
   * Relay 0's webhook for a 5.00 Customer Area refund has read the payment (merchantReference `reference`) and waits
   * to record it, while relay 1 is asked for a 10.00 refund from the shop. Both must stay counted.
   */
  const customerAreaRefundBesideShopRefund = async (psp: string, reference?: string) => {
    const session = paidAdyenOrder();
    // Another connection holds back every new webhook row: relay 0's webhook transaction has read the payment and
    // decided on it, and waits to record the event.
    const blocker = connectPg(schema.url);
    blocker.exec('BEGIN; LOCK TABLE webhook_events IN EXCLUSIVE MODE');
    const webhook = adyenRefundNotification(relays[0], session, { psp, value: 500, reference });
    let refund: Promise<{ status: number; body: any }> | null = null;
    try {
      await until(() => waitingToRecord() !== null, 'the webhook to reach its row');
      const recorder = waitingToRecord()!;
      let answered = false;
      refund = askRelay(relays[1], session, 'wc-1', '10.00').finally(() => (answered = true));
      // The shop's refund is counted and made at Adyen meanwhile, or waits for the payment the webhook is changing.
      await until(() => answered || waitingBehind(recorder) > 0, 'the refund from the shop to be made or to wait for the webhook');
    } finally {
      blocker.exec('COMMIT');
      blocker.close();
    }
    expect(await webhook).toEqual({ status: 200, body: '[accepted]' });
    expect(await refund).toMatchObject({ status: 201, body: { refund_id: 'wc-1', status: 'pending' } });
    expect(adyen.payments.get(session.providerPaymentId!)!.refunds).toHaveLength(1);
    // 5.00 refunded in Adyen's Customer Area and 10.00 from the shop.
    expect(refundedMinor(session)).toBe(1500);
  };

  it('a refund webhook on one relay that read the payment before the other relay counted a refund from the shop, and records after it: both refunds stay counted (the webhook does not write back the total it read)', async () => {
    await customerAreaRefundBesideShopRefund('CA00000000000001');
  });

  it("the same with a webhook that does not name our session (found by the provider's payment id, locked in that read): both refunds stay counted", async () => {
    // Not a session reference: the webhook's one lookup is by originalReference, the payment's pspReference.
    await customerAreaRefundBesideShopRefund('CA00000000000002', 'CUSTOMER-AREA-1');
  });

  it('the refund\'s webhook confirming it on one relay while the other relay, whose answer from Adyen was lost, undoes its count: the refund stays made and counted, and the shop keeps its record', async () => {
    const session = paidAdyenOrder();
    let loseTheAnswer!: () => void;
    adyen.fail({ kind: 'held', until: new Promise<void>((resolve) => (loseTheAnswer = resolve)) });
    const answer = askRelay(relays[0], session, 'wc-1', '10.00');
    await until(() => adyen.calls.some((c) => c.path === `/v71/payments/${session.providerPaymentId}/refunds`), 'the relay to ask Adyen');
    // Another connection holds back every new webhook row: relay 1's webhook transaction has read the payment and
    // the refund, which it is about to settle as made, and waits to record the event.
    const blocker = connectPg(schema.url);
    blocker.exec('BEGIN; LOCK TABLE webhook_events IN EXCLUSIVE MODE');
    const webhook = adyenRefundNotification(relays[1], session, { psp: 'RF00000000000001', value: 1000, reference: `payrelay-refund-${session.merchantOrderId}-wc-1` });
    try {
      await until(() => waitingToRecord() !== null, 'the webhook to reach its row');
      const recorder = waitingToRecord()!;
      // Adyen's answer to relay 0 is lost now (a 500): relay 0 settles it behind the webhook, which holds the payment's row.
      loseTheAnswer();
      await until(() => waitingBehind(recorder) > 0, 'the relay whose answer was lost to settle it');
    } finally {
      blocker.exec('COMMIT');
      blocker.close();
    }
    expect(await webhook).toEqual({ status: 200, body: '[accepted]' });
    // Made, as Adyen's webhook says: a 502 would have WooCommerce delete its record of a refund Adyen made.
    expect(await answer).toMatchObject({ status: 201, body: { refund_id: 'wc-1' } });
    expect(refundState(session, 'wc-1')).toBe('succeeded');
    expect(refundedMinor(session)).toBe(1000);
  });

  it('a relay killed while its calls to PayPal wait holds no refund up, and what it counted is settled as a lost answer', async () => {
    // Two orders refunded on the relay about to die: PayPal makes nothing for the first, and makes the second's
    // refund without its answer ever leaving.
    const notMade = paidPaypalOrder();
    const made = paidPaypalOrder();
    // Paid in the shop as well: the refund record the relay adds goes on a paid order.
    shop.orders.setStatus(made.merchantOrderId, 'processing');
    paypal.fault(`/v2/payments/captures/${notMade.providerPaymentId}/refund`, 'hang');
    paypal.fault(`/v2/payments/captures/${made.providerPaymentId}/refund`, 'apply_then_hang');
    const victim = relays[0];
    void askRelay(victim, notMade, 'wc-1', '10.00').catch(() => undefined);
    void askRelay(victim, made, 'wc-1', '10.00').catch(() => undefined);
    await until(() => refundCalls(notMade).length === 1 && paypalRefundedMinor(made) === 1000, 'the first relay to call PayPal for both');
    victim.child.kill('SIGKILL');
    await victim.exited;
    // PostgreSQL let go of the dead relay's turns with its connection. Its refunds stay counted only until the other
    // relay holds the order's turn: their answers were never read, and WooCommerce removed its records when the
    // plugin's requests failed, so each is a lost answer, asked about before anything more is refunded.
    const waitForIt = await askRelay(relays[1], notMade, 'wc-2', '15.00');
    expect(waitForIt).toMatchObject({ status: 409, body: { error: { code: 'earlier_refund_in_flight' } } });
    expect(refundState(notMade, 'wc-1')).toBe('unconfirmed');
    expect(refundedMinor(notMade)).toBe(0);
    expect(refundCalls(notMade)).toHaveLength(1);

    const madeEarlier = await askRelay(relays[1], made, 'wc-2', '15.00');
    expect(madeEarlier).toMatchObject({ status: 409, body: { error: { code: 'earlier_refund_made' } } });
    await until(() => shop.orders.refunds(Number(made.merchantOrderId)).length === 1, 'the record of the refund PayPal made to reach the shop');
    expect(shop.orders.refunds(Number(made.merchantOrderId)).map((r) => r.amount)).toEqual(['10.00']);
    expect(refundedMinor(made)).toBe(1000);
    const rest = await askRelay(relays[1], made, 'wc-3', '15.00');
    expect(rest).toMatchObject({ status: 201, body: { refund_id: 'wc-3', status: 'succeeded' } });
    expect(refundedMinor(made)).toBe(2500);
    expect(paypalRefundedMinor(made)).toBe(2500);
  });
});
