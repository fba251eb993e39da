import type { ShopRefund } from '../../../../relay/src/ports/shop-refund-store';
import { openTestDatabase, TEST_STORE, type TestDatabase } from '../../../helpers/test-store';

// One suite, two entry points: SQLite by default, PostgreSQL under PAYRELAY_TEST_STORE=postgres.
const now = 1_800_000_000_000;

describe(`${TEST_STORE} shop refund store: one row per WooCommerce refund, and the rows no request answered`, () => {
  let db: TestDatabase;
  beforeEach(() => {
    db = openTestDatabase();
  });
  afterEach(() => db.close());

  const ask = (order: string, refund: string, at: number, amountMinor = 1000): boolean =>
    db.stores.refunds.insertIfNew({ merchantOrderId: order, shopRefundId: refund, sessionId: `ps_${order}`, provider: 'paypal', amountMinor, currency: 'EUR', state: 'requested', createdAt: at });
  const ids = (rows: ShopRefund[]) => rows.map((r) => `${r.merchantOrderId}/${r.shopRefundId}`);

  test('a WooCommerce refund is one row: asked again, the first row stays as it was', () => {
    expect(ask('100', 'wc-1', now)).toBe(true);
    expect(ask('100', 'wc-1', now + 5, 2000)).toBe(false);
    // Another order may use the same WooCommerce refund id.
    expect(ask('101', 'wc-1', now)).toBe(true);
    expect(db.stores.refunds.get('100', 'wc-1')).toEqual({
      merchantOrderId: '100', shopRefundId: 'wc-1', sessionId: 'ps_100', provider: 'paypal', amountMinor: 1000, currency: 'EUR',
      state: 'requested', providerRefundId: null, message: null, createdAt: now, updatedAt: now, answeredAt: null,
    });
    expect(db.stores.refunds.get('100', 'wc-2')).toBeNull();
  });

  test('settle changes the state and when; a provider refund id once known is kept', () => {
    ask('100', 'wc-1', now);
    db.stores.refunds.settle('100', 'wc-1', { state: 'pending', providerRefundId: 're_1' }, now + 10);
    db.stores.refunds.settle('100', 'wc-1', { state: 'succeeded', message: 'made' }, now + 20);
    expect(db.stores.refunds.get('100', 'wc-1')).toMatchObject({ state: 'succeeded', providerRefundId: 're_1', message: 'made', createdAt: now, updatedAt: now + 20 });
  });

  test("an order's refunds in the order they were asked for", () => {
    ask('100', 'wc-2', now);
    ask('101', 'wc-1', now);
    ask('100', 'wc-1', now + 1);
    expect(ids(db.stores.refunds.listByOrder('100'))).toEqual(['100/wc-2', '100/wc-1']);
  });

  test('the rows whose request has not answered, asked for before a time, oldest first, at most the limit', () => {
    ask('100', 'wc-1', now - 300_000);
    ask('101', 'wc-1', now - 500_000);
    ask('102', 'wc-1', now - 400_000);
    ask('103', 'wc-1', now - 10_000); // asking for a moment only
    ask('104', 'wc-1', now - 600_000);
    db.stores.refunds.settle('104', 'wc-1', { state: 'succeeded' }, now - 590_000);
    db.stores.refunds.markAnswered('104', 'wc-1', now - 590_000); // answered
    ask('105', 'wc-1', now - 450_000);
    db.stores.refunds.settle('105', 'wc-1', { state: 'succeeded' }, now - 440_000); // made by its webhook, not answered
    expect(ids(db.stores.refunds.listUnansweredBefore(now - 120_000, 10))).toEqual(['101/wc-1', '105/wc-1', '102/wc-1', '100/wc-1']);
    expect(ids(db.stores.refunds.listUnansweredBefore(now - 120_000, 2))).toEqual(['101/wc-1', '105/wc-1']);
    expect(db.stores.refunds.listUnansweredBefore(now - 600_000, 10)).toEqual([]);
  });

  test('answered once: the first answer stands; asked again (requested), it is unanswered again; a row made at once is answered', () => {
    ask('100', 'wc-1', now);
    expect(db.stores.refunds.get('100', 'wc-1')!.answeredAt).toBeNull();
    db.stores.refunds.markAnswered('100', 'wc-1', now + 10);
    db.stores.refunds.markAnswered('100', 'wc-1', now + 20);
    db.stores.refunds.settle('100', 'wc-1', { state: 'refused' }, now + 30);
    expect(db.stores.refunds.get('100', 'wc-1')!.answeredAt).toBe(now + 10);
    db.stores.refunds.settle('100', 'wc-1', { state: 'requested' }, now + 40);
    expect(db.stores.refunds.get('100', 'wc-1')!.answeredAt).toBeNull();
    db.stores.refunds.insertIfNew({ merchantOrderId: '100', shopRefundId: 'wc-2', sessionId: 'ps_100', provider: 'paypal', amountMinor: 500, currency: 'EUR', state: 'succeeded', createdAt: now + 50 });
    expect(db.stores.refunds.get('100', 'wc-2')!.answeredAt).toBe(now + 50);
  });
});
