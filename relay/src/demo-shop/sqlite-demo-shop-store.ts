import type { Database } from 'better-sqlite3';
import type { EmulatedNoteRecord, EmulatedOrderRecord, EmulatedRefundRecord, EmulatedShopStore } from './emulated-shop-store';

/**
 * The demo shop's orders, notes and refunds in the relay's own SQLite file. The tables are the demo's own
 * (`demo_*`), created here rather than in the relay's migrations: they are never used when a real shop is set.
 */
export function createSqliteDemoShopStore(db: Database): EmulatedShopStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS demo_orders (
      id INTEGER PRIMARY KEY,
      status TEXT NOT NULL,
      currency TEXT NOT NULL,
      total TEXT NOT NULL,
      payment_method TEXT NOT NULL,
      payment_method_title TEXT NOT NULL,
      transaction_id TEXT NOT NULL DEFAULT '',
      order_key TEXT NOT NULL,
      email TEXT NOT NULL DEFAULT '',
      first_name TEXT NOT NULL DEFAULT '',
      last_name TEXT NOT NULL DEFAULT '',
      country TEXT NOT NULL DEFAULT '',
      date_created TEXT NOT NULL,
      date_modified TEXT NOT NULL,
      date_paid TEXT,
      date_completed TEXT
    );
    CREATE TABLE IF NOT EXISTS demo_order_notes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      order_id INTEGER NOT NULL REFERENCES demo_orders(id),
      note TEXT NOT NULL,
      customer_note INTEGER NOT NULL DEFAULT 0,
      author TEXT NOT NULL,
      date_created TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS demo_order_notes_order ON demo_order_notes(order_id);
    CREATE TABLE IF NOT EXISTS demo_order_refunds (
      id INTEGER PRIMARY KEY,
      order_id INTEGER NOT NULL REFERENCES demo_orders(id),
      amount TEXT NOT NULL,
      reason TEXT NOT NULL,
      refunded_payment INTEGER NOT NULL DEFAULT 0,
      date_created TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS demo_order_refunds_order ON demo_order_refunds(order_id);
  `);

  const maxPostId = db.prepare(
    `SELECT MAX(id) AS max FROM (SELECT MAX(id) AS id FROM demo_orders UNION ALL SELECT MAX(id) AS id FROM demo_order_refunds)`,
  );
  const insertOrder = db.prepare(`
    INSERT INTO demo_orders (id, status, currency, total, payment_method, payment_method_title, transaction_id, order_key, email,
      first_name, last_name, country, date_created, date_modified, date_paid, date_completed)
    VALUES (@id, @status, @currency, @total, @paymentMethod, @paymentMethodTitle, @transactionId, @orderKey, @email,
      @firstName, @lastName, @country, @dateCreated, @dateModified, @datePaid, @dateCompleted)`);
  const saveOrder = db.prepare(`
    UPDATE demo_orders SET status = @status, currency = @currency, total = @total, payment_method = @paymentMethod,
      payment_method_title = @paymentMethodTitle, transaction_id = @transactionId, order_key = @orderKey, email = @email,
      first_name = @firstName, last_name = @lastName, country = @country, date_created = @dateCreated,
      date_modified = @dateModified, date_paid = @datePaid, date_completed = @dateCompleted
    WHERE id = @id`);
  const orderColumns = `id, status, currency, total, payment_method AS paymentMethod, payment_method_title AS paymentMethodTitle,
    transaction_id AS transactionId, order_key AS orderKey, email, first_name AS firstName, last_name AS lastName, country,
    date_created AS dateCreated, date_modified AS dateModified, date_paid AS datePaid, date_completed AS dateCompleted`;
  const getOrder = db.prepare(`SELECT ${orderColumns} FROM demo_orders WHERE id = ?`);
  const listOrders = db.prepare(`SELECT ${orderColumns} FROM demo_orders ORDER BY id DESC LIMIT ? OFFSET ?`);
  const countOrders = db.prepare(`SELECT COUNT(*) AS n FROM demo_orders`);
  const insertNote = db.prepare(
    `INSERT INTO demo_order_notes (order_id, note, customer_note, author, date_created) VALUES (?, ?, ?, ?, ?)`,
  );
  const listNotes = db.prepare(
    `SELECT id, order_id AS orderId, note, customer_note AS customerNote, author, date_created AS dateCreated
     FROM demo_order_notes WHERE order_id = ? ORDER BY id`,
  );
  const insertRefund = db.prepare(
    `INSERT INTO demo_order_refunds (id, order_id, amount, reason, refunded_payment, date_created) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const deleteRefund = db.prepare('DELETE FROM demo_order_refunds WHERE id = ?');
  const listRefunds = db.prepare(
    `SELECT id, order_id AS orderId, amount, reason, refunded_payment AS refundedPayment, date_created AS dateCreated
     FROM demo_order_refunds WHERE order_id = ? ORDER BY id`,
  );

  // Ids handed out but not written yet (a skipped placeholder) must not come back: remember the last one.
  let lastAllocated = 0;
  return {
    allocatePostId: () => {
      lastAllocated = Math.max(((maxPostId.get() as { max: number | null }).max ?? 13) + 1, lastAllocated + 1);
      return lastAllocated;
    },
    insertOrder: (order) => void insertOrder.run(order),
    saveOrder: (order) => void saveOrder.run(order),
    getOrder: (id) => (getOrder.get(id) as EmulatedOrderRecord | undefined) ?? null,
    listOrders: (limit, offset) => listOrders.all(limit, offset) as EmulatedOrderRecord[],
    countOrders: () => (countOrders.get() as { n: number }).n,
    insertNote: (note) => {
      const info = insertNote.run(note.orderId, note.note, note.customerNote ? 1 : 0, note.author, note.dateCreated);
      return { ...note, id: Number(info.lastInsertRowid) };
    },
    listNotes: (orderId) =>
      (listNotes.all(orderId) as Array<Omit<EmulatedNoteRecord, 'customerNote'> & { customerNote: number }>).map((n) => ({
        ...n,
        customerNote: n.customerNote === 1,
      })),
    insertRefund: (refund: EmulatedRefundRecord) =>
      void insertRefund.run(refund.id, refund.orderId, refund.amount, refund.reason, refund.refundedPayment ? 1 : 0, refund.dateCreated),
    deleteRefund: (refundId) => void deleteRefund.run(refundId),
    listRefunds: (orderId) =>
      (listRefunds.all(orderId) as Array<Omit<EmulatedRefundRecord, 'refundedPayment'> & { refundedPayment: number }>).map((r) => ({
        ...r,
        refundedPayment: r.refundedPayment === 1,
      })),
    transaction: (fn) => db.transaction(fn)(),
  };
}
