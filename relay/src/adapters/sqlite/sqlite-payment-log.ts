import type { PaymentLog, PaymentLogEntry, PaymentLogKind } from '../../ports/payment-log';
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
  const append = db.prepare(
    'INSERT INTO payment_log (at, merchant_order_id, session_id, provider, kind, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const byOrder = db.prepare<[string], LogRow>('SELECT * FROM payment_log WHERE merchant_order_id = ? ORDER BY id');
  const bySession = db.prepare<[string], LogRow>('SELECT * FROM payment_log WHERE session_id = ? ORDER BY id');
  return {
    append: (entry) => {
      append.run(entry.at, entry.merchantOrderId, entry.sessionId, entry.provider, entry.kind, entry.message, entry.data ? JSON.stringify(entry.data) : null);
    },
    listByOrder: (orderId) => byOrder.all(orderId).map(toEntry),
    listBySession: (sessionId) => bySession.all(sessionId).map(toEntry),
  };
}

function toEntry(row: LogRow): PaymentLogEntry {
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
