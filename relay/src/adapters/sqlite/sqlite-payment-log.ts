import type { PaymentLog, PaymentLogEntry, PaymentLogKind } from '../../ports/payment-log';
import type { Statement } from 'better-sqlite3';
import type { Db } from './open-database';

interface LogRow {
  at: number;
  merchant_order_id: string | null;
  session_id: string | null;
  provider: string | null;
  kind: string;
  message: string;
  data: string | null;
}

export function createSqlitePaymentLog(db: Db): PaymentLog {
  // One multi-row INSERT per entry count (rows go in the order given, so ids keep the timeline's order).
  const inserts = new Map<number, Statement>();
  const insertFor = (count: number): Statement => {
    let statement = inserts.get(count);
    if (!statement) {
      const rows = Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      statement = db.prepare(`INSERT INTO payment_log (at, merchant_order_id, session_id, provider, kind, message, data) VALUES ${rows}`);
      inserts.set(count, statement);
    }
    return statement;
  };
  const byOrder = db.prepare<[string], LogRow>('SELECT * FROM payment_log WHERE merchant_order_id = ? ORDER BY id');
  return {
    append: (...entries) => {
      if (entries.length === 0) return;
      insertFor(entries.length).run(
        entries.flatMap((entry) => [entry.at, entry.merchantOrderId, entry.sessionId, entry.provider, entry.kind, entry.message, entry.data ? JSON.stringify(entry.data) : null]),
      );
    },
    listByOrder: (orderId) => byOrder.all(orderId).map(toEntry),
  };
}

export function toEntry(row: LogRow): PaymentLogEntry {
  return {
    at: row.at,
    merchantOrderId: row.merchant_order_id,
    sessionId: row.session_id,
    provider: row.provider,
    kind: row.kind as PaymentLogKind,
    message: row.message,
    ...(row.data ? { data: JSON.parse(row.data) as Record<string, unknown> } : {}),
  };
}
