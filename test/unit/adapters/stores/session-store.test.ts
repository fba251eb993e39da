import type { PaymentSession } from '../../../../relay/src/domain/payment-session';
import type { SessionStore } from '../../../../relay/src/ports/session-store';
import { aSession } from '../../../helpers/builders';
import { InMemorySessionStore } from '../../../helpers/in-memory-stores';
import { openSharedTestDatabase, openTestDatabase, TEST_STORE, type TestDatabase } from '../../../helpers/test-store';

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

// The in-memory stand-in that use-case and HTTP tests run on must find what the real stores find.
describe.each([TEST_STORE, 'in-memory'])('%s: which session a provider payment id finds', (kind) => {
  let db: TestDatabase | null = null;
  let sessions: SessionStore;
  beforeEach(() => {
    db = kind === 'in-memory' ? null : openTestDatabase();
    sessions = db ? db.stores.sessions : new InMemorySessionStore();
  });
  afterEach(() => db?.close());
  const insert = (overrides: Partial<PaymentSession>) => {
    const row = { ...aSession({ providerSessionId: `cs_${overrides.id}`, ...overrides }), idempotencyKey: null, attempt: 1 };
    if (db) db.stores.unitOfWork.transaction(() => sessions.insert(row));
    else sessions.insert(row);
  };

  it('the newest session carrying it (a retried checkout that reuses the payment), inserted in any order', () => {
    insert({ id: 'ps_middle', providerPaymentId: 'pi_shared', createdAt: 2 });
    insert({ id: 'ps_newest', providerPaymentId: 'pi_shared', createdAt: 3 });
    insert({ id: 'ps_oldest', providerPaymentId: 'pi_shared', createdAt: 1 });
    insert({ id: 'ps_other', providerPaymentId: 'pi_other', createdAt: 4 });
    expect(sessions.findByProviderPaymentId('stripe', 'pi_shared')?.id).toBe('ps_newest');
    expect(sessions.findByProviderPaymentId('mollie', 'pi_shared')).toBeNull();
  });
});

describe(`${TEST_STORE}: the session store on two connections`, () => {
  let shared: ReturnType<typeof openSharedTestDatabase>;
  beforeEach(() => (shared = openSharedTestDatabase()));
  afterEach(() => shared.close());

  /** Whether connection `other` can lock session `id` for a write now, without waiting. */
  const canLock = (other: TestDatabase, id: string): boolean => {
    try {
      if (other.pg) other.pg.transaction(() => other.pg!.get('SELECT id FROM payment_sessions WHERE id = $1 FOR UPDATE NOWAIT', [id]));
      else other.sqlite!.transaction(() => other.sqlite!.prepare('UPDATE payment_sessions SET id = id WHERE id = ?').run(id)).immediate();
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === (other.pg ? '55P03' : 'SQLITE_BUSY')) return false;
      throw error;
    }
  };

  it("a session found by the provider's ids with forUpdate is locked in that read, until its transaction ends (what a webhook found by them decides on)", () => {
    const [a, b] = shared.connections;
    b.sqlite?.pragma('busy_timeout = 0');
    const session = aSession({ id: 'ps_refs', providerSessionId: 'cs_refs', providerPaymentId: 'pi_refs' });
    a.stores.unitOfWork.transaction(() => a.stores.sessions.insert({ ...session, idempotencyKey: null, attempt: 1 }));
    const finds = {
      bySession: (options?: { forUpdate: boolean }) => a.stores.sessions.findByProviderSessionId('stripe', 'cs_refs', options),
      byPayment: (options?: { forUpdate: boolean }) => a.stores.sessions.findByProviderPaymentId('stripe', 'pi_refs', options),
    };
    for (const find of Object.values(finds)) {
      a.stores.unitOfWork.transaction(() => {
        expect(find({ forUpdate: true })).toMatchObject(session);
        expect(canLock(b, 'ps_refs')).toBe(false);
      });
      expect(canLock(b, 'ps_refs')).toBe(true);
      // Without it a read locks nothing on PostgreSQL (SQLite's write transaction holds the whole file anyway).
      if (a.kind === 'postgres') a.stores.unitOfWork.transaction(() => (expect(find()).toMatchObject(session), expect(canLock(b, 'ps_refs')).toBe(true)));
    }
  });
});
