import { openTestDatabase, TEST_STORE, type TestDatabase } from '../../helpers/test-store';
import { recordProviderEvent } from '../../../relay/src/app/record-provider-event';
import { shopRefundKey } from '../../../relay/src/domain/own-refund-outcome';
import type { ShopRefundState } from '../../../relay/src/ports/shop-refund-store';
import { aSession, anEvent } from '../../helpers/builders';

/**
 * A provider's final word on a refund the shop asked for (Adyen's REFUND / REFUND_FAILED), over a real database
 * (SQLite, or PostgreSQL under PAYRELAY_TEST_STORE), one transaction per event as in the relay. The relay here
 * runs live; the provider's test account shares the webhook URL.
 */
describe(`a provider's word on a refund the shop asked for (${TEST_STORE})`, () => {
  const opened: TestDatabase[] = [];
  afterAll(() => opened.splice(0).forEach((db) => db.close()));
  const t0 = 1_700_000_000_000;
  const live = true;
  const setup = (refundState: ShopRefundState) => {
    const db = openTestDatabase();
    opened.push(db);
    const stores = db.stores;
    const session = aSession({ provider: 'adyen', status: 'paid', providerPaymentId: 'PSP_1', refundedMinor: refundState === 'unconfirmed' ? 0 : 500, livemode: live });
    stores.unitOfWork.transaction(() => {
      stores.sessions.insert({ ...session, idempotencyKey: null, attempt: 1 });
      stores.refunds.insertIfNew({ merchantOrderId: session.merchantOrderId, shopRefundId: '77', sessionId: session.id, provider: 'adyen', amountMinor: 500, currency: 'EUR', state: 'requested', createdAt: t0 });
      if (refundState !== 'requested') stores.refunds.settle(session.merchantOrderId, '77', { state: refundState, providerRefundId: refundState === 'pending' ? 'RF_1' : null }, t0);
    });
    const record = (event: ReturnType<typeof anEvent>) => stores.unitOfWork.transaction(() => recordProviderEvent(stores, event, Buffer.from('{}'), 'signature', live, t0 + 1000));
    const refundFailed = (livemode: boolean) =>
      anEvent({ provider: 'adyen', eventId: `REFUND_FAILED:RF_1:${livemode}`, eventType: 'REFUND_FAILED', status: 'refunded', relaySessionId: session.id, providerSessionId: undefined, providerPaymentId: 'PSP_1', livemode, refundOutcome: { providerRefundId: 'RF_1', reference: shopRefundKey(session.merchantOrderId, '77'), made: false, reason: 'Insufficient balance' } });
    const refund = () => stores.refunds.get(session.merchantOrderId, '77')!;
    return { stores, session, record, refundFailed, refund };
  };

  it('a "refund failed" from the test account does not settle a live refund the shop asked for', () => {
    const { record, refundFailed, refund } = setup('pending');
    record(refundFailed(false));
    expect(refund().state).toBe('pending');
  });

  it('a "refund failed" from the test account does not settle a live refund whose answer was lost', () => {
    const { record, refundFailed, refund } = setup('unconfirmed');
    record(refundFailed(false));
    expect(refund().state).toBe('unconfirmed');
  });

  it('the same "refund failed" from the live account settles them: refused, with the reason', () => {
    for (const state of ['pending', 'unconfirmed'] as const) {
      const { record, refundFailed, refund } = setup(state);
      expect(record(refundFailed(true)).outcome).toBe(state === 'pending' ? 'applied' : 'ignored');
      expect(refund()).toMatchObject({ state: 'refused' });
    }
  });

  it("a payment webhook does not read the order's refunds, and a refund's final word reads them once", () => {
    const { stores, session, record, refundFailed } = setup('pending');
    let reads = 0;
    const listByOrder = stores.refunds.listByOrder.bind(stores.refunds);
    stores.refunds.listByOrder = (orderId) => (reads += 1, listByOrder(orderId));
    record(anEvent({ provider: 'adyen', eventId: 'AUTHORISATION:PSP_1', eventType: 'AUTHORISATION', relaySessionId: session.id, providerSessionId: undefined, providerPaymentId: 'PSP_1', livemode: live }));
    expect(reads).toBe(0);
    record(refundFailed(true));
    expect(reads).toBe(1);
  });
});
