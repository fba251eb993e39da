/**
 * Fills a relay SQLite file with paid orders fast, for `npm run bench:scale`: direct inserts in big transactions,
 * not HTTP. The rows are what the relay itself writes: one order's rows are recorded once by the relay's own code
 * (recordProviderEvent on a scratch database: payment.pending then payment.paid, its inbox rows, log lines and
 * shop writes) and then copied with fresh ids and times. Ids are random like the relay's and the providers'
 * (ps_<hex>, sbx_evt_<hex>), so the dedupe and session indexes are written at random places, as in production.
 */
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { openDatabase } from '../../relay/src/adapters/sqlite/open-database';
import { createSqliteStores } from '../../relay/src/adapters/sqlite/sqlite-stores';
import { recordProviderEvent } from '../../relay/src/app/record-provider-event';
import { mapSandboxEvent, parseSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-event-schema';

type Row = Record<string, unknown>;

export interface SeedOptions {
  /** How many webhook events to store (two per order: pending, then paid). */
  events: number;
  /** The orders' times are spread evenly over [fromMs, toMs), oldest first. */
  fromMs: number;
  toMs: number;
  /** Told every 100,000 events. */
  progress?: (events: number) => void;
}

export interface SeedCounts {
  sessions: number;
  events: number;
  log: number;
  outbox: number;
  rejections: number;
}

/** Placeholders in the recorded order, replaced per copy. */
const SESSION = 'ps_SEEDSESSION';
const ORDER = '777000777';
const PAYMENT = 'sbx_pay_SEEDPAYMENT';
const EVENT_TYPES = ['payment.pending', 'payment.paid'] as const;
const eventPlaceholder = (index: number) => `sbx_evt_SEEDEVENT${index}`;
/** The event's own time in its body (Unix seconds), a number the JSON carries without quotes. */
const createdPlaceholder = (index: number) => 999_999_900 + index;
/** One refused delivery (a bad signature) per this many events, so pruning has rejections to remove too. */
const EVENTS_PER_REJECTION = 500;
const ORDERS_PER_TRANSACTION = 25_000;

/** One order as the relay records it, on a scratch in-memory database, with every time set to 0. */
function recordedOrder(): { session: Row; events: Row[]; log: Row[]; outbox: Row[] } {
  const db = openDatabase(':memory:');
  const stores = createSqliteStores(db);
  stores.sessions.insert({
    id: SESSION, merchantOrderId: ORDER, orderKey: `wc_order_${SESSION}`, provider: 'sandbox', providerSessionId: SESSION, providerPaymentId: null,
    customerEmail: 'buyer@example.com', customerCountry: 'NL', method: 'card', amountMinor: 4250, currency: 'EUR', status: 'created', refundedMinor: 0,
    livemode: false, checkoutUrl: `https://relay.example/sandbox/checkout/${SESSION}`, returnUrl: `https://shop.example/checkout/order-received/${ORDER}/?key=wc_order_${SESSION}`,
    cancelUrl: 'https://shop.example/cart/', statusToken: `st_${SESSION}`, createdAt: 0, expiresAt: 3600_000, updatedAt: 0, idempotencyKey: null, attempt: 1,
  });
  EVENT_TYPES.forEach((type, index) => {
    const raw = Buffer.from(JSON.stringify({ id: eventPlaceholder(index), type, session_id: SESSION, payment_id: PAYMENT, amount: 4250, currency: 'EUR', livemode: false, created: createdPlaceholder(index) }));
    const parsed = parseSandboxEvent(raw);
    if (!parsed.ok) throw new Error(`seed event does not parse: ${parsed.error.message}`);
    const outcome = recordProviderEvent(stores, mapSandboxEvent(parsed.value), raw, 'signature', false, 0);
    if (outcome.outcome !== 'applied') throw new Error(`seed event was ${outcome.outcome}, not applied`);
  });
  const all = (table: string) => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as Row[];
  const order = { session: all('payment_sessions')[0], events: all('webhook_events'), log: all('payment_log'), outbox: all('outbox') };
  db.close();
  if (order.events.length !== EVENT_TYPES.length || order.outbox.length === 0) throw new Error('the recorded order has an unexpected shape');
  return order;
}

/** The ids one copy of the recorded order gets, by placeholder. */
type Ids = Record<string, string>;

/**
 * A template value as a function of the copy's ids: strings (and the raw body) with placeholders are cut at
 * them once, so a copy is a join, not a search (a million orders' worth of replaceAll was most of the time).
 */
function compileValue(value: unknown, placeholders: readonly string[]): (ids: Ids) => unknown {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (typeof text !== 'string' || !placeholders.some((p) => text.includes(p))) return () => value;
  const pattern = new RegExp(`(${placeholders.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  const parts = text.split(pattern);
  const join = (ids: Ids) => parts.map((part, i) => (i % 2 === 1 ? ids[part] : part)).join('');
  return Buffer.isBuffer(value) ? (ids) => Buffer.from(join(ids)) : join;
}

/** An INSERT of a template row's columns (less an integer `id`, and with `times` set per copy), positional parameters. */
function rowWriter(db: Database.Database, table: string, row: Row, timeColumns: readonly string[], placeholders: readonly string[]) {
  // An integer id is the rowid: SQLite numbers the copies. A text id (the session's) is a placeholder.
  const columns = Object.keys(row).filter((column) => column !== 'id' || typeof row.id === 'string');
  const statement = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const values = columns.map((column) => (timeColumns.includes(column) ? null : compileValue(row[column], placeholders)));
  const timeAt = columns.map((column) => timeColumns.indexOf(column));
  return (ids: Ids, times: readonly number[]) => statement.run(values.map((value, i) => (value ? value(ids) : times[timeAt[i]])));
}

/**
 * Appends `events` stored events (and their orders' sessions, log lines and finished shop writes) to the relay
 * database at `file`, creating it if needed. The relay must not be running on it: the inserts skip the journal.
 */
export function seedStore(file: string, options: SeedOptions): SeedCounts {
  openDatabase(file).close(); // the relay's schema, migrations and all
  const template = recordedOrder();
  const db = new Database(file);
  // Seeding only: no journal and no fsync (a crash here loses a benchmark's fixture, nothing else); back to the
  // relay's WAL at the end.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const eventKeys = EVENT_TYPES.map((_, i) => eventPlaceholder(i));
  const createdKeys = EVENT_TYPES.map((_, i) => String(createdPlaceholder(i)));
  const placeholders = [SESSION, ORDER, PAYMENT, ...eventKeys, ...createdKeys];
  // Which event each log line and shop write belongs to: the one whose id it names (the template's order).
  const eventOf = (row: Row) => Math.max(0, eventKeys.findIndex((key) => JSON.stringify(row).includes(key)));
  const writeSession = rowWriter(db, 'payment_sessions', template.session, ['created_at', 'expires_at', 'updated_at', 'last_event_at'], placeholders);
  const writeEvents = template.events.map((row) => rowWriter(db, 'webhook_events', row, ['received_at'], placeholders));
  const writeLog = template.log.map((row) => ({ event: eventOf(row), write: rowWriter(db, 'payment_log', row, ['at'], placeholders) }));
  const doneRows = template.outbox.map((row) => ({ ...row, state: 'done', attempts: 1 }));
  const writeOutbox = doneRows.map((row) => ({ event: eventOf(row), write: rowWriter(db, 'outbox', row, ['next_attempt_at', 'created_at', 'updated_at'], placeholders) }));
  const insertRejection = db.prepare('INSERT INTO webhook_rejections (provider, code, message, received_at) VALUES (?, ?, ?, ?)');
  const firstOrderId = ((db.prepare('SELECT MAX(CAST(merchant_order_id AS INTEGER)) AS n FROM payment_sessions').get() as { n: number | null }).n ?? 100_000) + 1;

  const orders = Math.ceil(options.events / EVENT_TYPES.length);
  const step = (options.toMs - options.fromMs) / orders;
  const counts: SeedCounts = { sessions: 0, events: 0, log: 0, outbox: 0, rejections: 0 };

  const seedOrder = (index: number, random: string) => {
    const createdAt = Math.floor(options.fromMs + index * step);
    // The events come a minute and two after the session; each shop write is done a second after its event.
    const eventAt = (i: number) => createdAt + (i + 1) * 60_000;
    const sessionHex = random.slice(0, 24);
    const ids: Ids = { [SESSION]: `ps_${sessionHex}`, [ORDER]: String(firstOrderId + index), [PAYMENT]: `sbx_pay_${sessionHex}` };
    eventKeys.forEach((key, i) => (ids[key] = `sbx_evt_${random.slice(24 * (i + 1), 24 * (i + 2))}`));
    createdKeys.forEach((key, i) => (ids[key] = String(Math.floor(eventAt(i) / 1000))));
    const lastEventAt = eventAt(EVENT_TYPES.length - 1);
    // last_event_at is the provider's time of the event, which its body carries in whole seconds.
    writeSession(ids, [createdAt, createdAt + 3600_000, lastEventAt, Math.floor(lastEventAt / 1000) * 1000]);
    writeEvents.forEach((write, i) => write(ids, [eventAt(i)]));
    for (const { event, write } of writeLog) write(ids, [eventAt(event)]);
    for (const { event, write } of writeOutbox) write(ids, [eventAt(event), eventAt(event), eventAt(event) + 1_000]);
    counts.sessions += 1;
    counts.events += writeEvents.length;
    counts.log += writeLog.length;
    counts.outbox += writeOutbox.length;
    if (counts.events % EVENTS_PER_REJECTION === 0) {
      insertRejection.run('sandbox', 'bad_signature', 'signature does not match the payload', createdAt);
      counts.rejections += 1;
    }
    if (options.progress && counts.events % 100_000 === 0) options.progress(counts.events);
  };

  const hexPerOrder = 24 * (1 + EVENT_TYPES.length);
  for (let start = 0; start < orders; start += ORDERS_PER_TRANSACTION) {
    const end = Math.min(orders, start + ORDERS_PER_TRANSACTION);
    const random = crypto.randomBytes(((end - start) * hexPerOrder) / 2).toString('hex');
    db.transaction(() => {
      for (let index = start; index < end; index += 1) seedOrder(index, random.slice((index - start) * hexPerOrder, (index - start + 1) * hexPerOrder));
    })();
  }
  db.pragma('journal_mode = WAL');
  db.close();
  return counts;
}
