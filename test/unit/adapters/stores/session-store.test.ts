import type { PaymentSession } from '../../../../relay/src/domain/payment-session';
import { aSession } from '../../../helpers/builders';
import { openTestDatabase, TEST_STORE, type TestDatabase } from '../../../helpers/test-store';

describe(`${TEST_STORE}: the session store`, () => {
  let db: TestDatabase;
  beforeEach(() => (db = openTestDatabase()));
  afterEach(() => db.close());
  const insert = (overrides: Partial<PaymentSession>) => {
    const session = aSession({ providerSessionId: `cs_${overrides.id}`, ...overrides });
    db.stores.unitOfWork.transaction(() => db.stores.sessions.insert({ ...session, idempotencyKey: null, attempt: 1 }));
    return session;
  };

  it('finds the other session of an order that took money (paid first, then held for review), with its payment id', () => {
    insert({ id: 'ps_a', status: 'failed' });
    expect(db.stores.sessions.findPaidSibling('1042', 'ps_b')).toBeNull();
    insert({ id: 'ps_held', status: 'review', providerPaymentId: 'pi_held', createdAt: 1 });
    expect(db.stores.sessions.findPaidSibling('1042', 'ps_b')).toEqual({ id: 'ps_held', provider: 'stripe', providerPaymentId: 'pi_held' });
    insert({ id: 'ps_paid', status: 'paid', providerPaymentId: 'pi_paid', createdAt: 2 });
    expect(db.stores.sessions.findPaidSibling('1042', 'ps_b')).toEqual({ id: 'ps_paid', provider: 'stripe', providerPaymentId: 'pi_paid' });
    // Never the session itself, never another order's.
    expect(db.stores.sessions.findPaidSibling('1042', 'ps_paid')).toEqual(expect.objectContaining({ id: 'ps_held' }));
    expect(db.stores.sessions.findPaidSibling('1043', 'ps_b')).toBeNull();
  });
});
