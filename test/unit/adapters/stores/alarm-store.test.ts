import { LAST_PER_PROVIDER, textArray } from '../../../../relay/src/adapters/postgres/last-webhook-per-provider';
import { createPostgresAlarmStore } from '../../../../relay/src/adapters/postgres/postgres-alarm-store';
import { createSqliteAlarmStore } from '../../../../relay/src/adapters/sqlite/sqlite-alarm-store';
import type { AlarmStore } from '../../../../relay/src/ports/alarm-store';
import type { InboxRecord } from '../../../../relay/src/ports/inbox-store';
import { openTestDatabase, TEST_STORE, type TestDatabase } from '../../../helpers/test-store';

// One suite, two entry points: SQLite by default, PostgreSQL under PAYRELAY_TEST_STORE=postgres.
const MIN = 60_000;
const now = 1_800_000_000_000;
const since = now - 24 * 60 * MIN;

describe(`${TEST_STORE} alarm facts at scale: sessions no webhook came back for, by time ranges`, () => {
  let db: TestDatabase;
  let alarms: AlarmStore;
  let n = 0;
  beforeEach(() => {
    db = openTestDatabase();
    alarms = db.sqlite ? createSqliteAlarmStore(db.sqlite) : createPostgresAlarmStore(db.pg!);
  });
  afterEach(() => db.close());

  const session = (provider: 'sandbox' | 'mollie', createdAt: number): string => {
    const id = `ps_${(n += 1)}`;
    db.stores.sessions.insert({
      id, merchantOrderId: String(1000 + n), orderKey: `wc_order_${n}`, provider, providerSessionId: `${provider}_${n}`, providerPaymentId: null,
      customerEmail: null, customerCountry: null, method: 'card', amountMinor: 1000, currency: 'EUR', status: 'created', refundedMinor: 0,
      livemode: false, checkoutUrl: null, returnUrl: null, cancelUrl: null, statusToken: 'st', createdAt, expiresAt: createdAt + 60 * MIN, updatedAt: createdAt,
      idempotencyKey: null, attempt: 1,
    });
    return id;
  };
  const webhook = (provider: 'sandbox' | 'mollie', sessionId: string | null, receivedAt: number, verification: InboxRecord['verification'] = 'signature') =>
    db.stores.inbox.insertIfNew({ provider, eventId: `evt_${(n += 1)}`, eventType: 'payment.paid', sessionId, merchantOrderId: null, rawBody: Buffer.from('{}'), verification, outcome: 'applied', receivedAt });
  const silent = () => alarms.facts(since).silentSessions.map((s) => `${s.provider}@${(s.createdAt - now) / MIN}`).sort();

  test("the sessions created after the provider's last accepted webhook, within the day", () => {
    session('sandbox', since - 10 * MIN); // older than the day: not looked at
    const paid = session('sandbox', now - 300 * MIN);
    webhook('sandbox', paid, now - 290 * MIN);
    session('sandbox', now - 200 * MIN); // abandoned before a webhook that came back: the endpoint worked then
    webhook('sandbox', null, now - 100 * MIN);
    session('sandbox', now - 90 * MIN);
    session('sandbox', now - 60 * MIN);
    session('mollie', now - 50 * MIN); // Mollie never called back: all of its sessions of the day
    session('mollie', now - 500 * MIN);
    expect(silent()).toEqual(['mollie@-50', 'mollie@-500', 'sandbox@-60', 'sandbox@-90']);
    expect(alarms.facts(since).lastAccepted).toEqual({ sandbox: now - 100 * MIN });
  });

  test('a fetched status or an unsigned ping counts as a webhook back; a rejection does not', () => {
    session('mollie', now - 90 * MIN);
    db.stores.inbox.recordRejection('mollie', 'bad_signature', 'no', now - 80 * MIN);
    expect(silent()).toEqual(['mollie@-90']);
    webhook('mollie', null, now - 70 * MIN, 'fetched');
    expect(silent()).toEqual([]);
    session('mollie', now - 60 * MIN);
    webhook('mollie', null, now - 50 * MIN, 'unsigned_notification');
    expect(silent()).toEqual([]);
  });

  test("the diagnostics' last webhook per provider: signed or pinged, not fetched by the relay itself", () => {
    webhook('sandbox', null, now - 30 * MIN);
    webhook('sandbox', null, now - 20 * MIN, 'fetched');
    webhook('mollie', null, now - 40 * MIN, 'unsigned_notification');
    webhook('mollie', null, now - 45 * MIN);
    expect(db.stores.inbox.lastReceivedAt()).toEqual({ sandbox: now - 30 * MIN, mollie: now - 40 * MIN });
  });

  test('the schema (SQLite 14, PostgreSQL 7): no random-key session index on the events; sessions by provider and time', () => {
    const indexes = db.sqlite
      ? db.sql.all("SELECT name FROM sqlite_schema WHERE type = 'index'").map((r) => r.name)
      : db.sql.all('SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()').map((r) => r.name);
    expect(indexes).not.toContain('webhook_events_session');
    expect(indexes).toContain('payment_sessions_provider_created');
    if (db.sqlite) {
      const plan = db.sql.all('EXPLAIN QUERY PLAN SELECT provider, created_at FROM payment_sessions WHERE provider = ? AND created_at > ? ORDER BY created_at DESC LIMIT 1000', 'sandbox', 0);
      expect(plan.map((r) => r.detail).join('; ')).toMatch(/SEARCH payment_sessions USING (COVERING )?INDEX payment_sessions_provider_created \(provider=\? AND created_at>\?\)/);
    }
  });

  test('the schema (PostgreSQL 9, SQLite 13): the last accepted webhook per provider is a look-up per (provider, verification) at the end of an index, not a scan of every event', () => {
    const indexes = db.sqlite
      ? db.sql.all("SELECT name FROM sqlite_schema WHERE type = 'index'").map((r) => r.name)
      : db.sql.all('SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()').map((r) => r.name);
    expect(indexes).toContain('webhook_events_last_accepted');
    if (db.pg) {
      webhook('sandbox', null, now - 30 * MIN);
      const plan = db.pg.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${LAST_PER_PROVIDER}`, [textArray(['sandbox', 'mollie']), textArray(['signature'])]).map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Limit[\s\S]*Index (Only )?Scan Backward using webhook_events_last_accepted on webhook_events/);
      expect(plan).not.toMatch(/Seq Scan on webhook_events/);
    }
  });
});
