import type { PaymentLog } from '../../ports/payment-log';
import { toEntry } from '../sqlite/sqlite-payment-log';
import type { PgDb } from './pg-database';

type LogRow = Parameters<typeof toEntry>[0];

export function createPostgresPaymentLog(db: PgDb): PaymentLog {
  return {
    // One multi-row INSERT; rows go in the order given, so ids keep the timeline's order.
    append: (...entries) => {
      if (entries.length === 0) return;
      const rows = entries.map((_, i) => `(${Array.from({ length: 7 }, (_, j) => `$${i * 7 + j + 1}`).join(', ')})`).join(', ');
      db.run(
        `INSERT INTO payment_log (at, merchant_order_id, session_id, provider, kind, message, data) VALUES ${rows}`,
        entries.flatMap((e) => [e.at, e.merchantOrderId, e.sessionId, e.provider, e.kind, e.message, e.data ? JSON.stringify(e.data) : null]),
      );
    },
    listByOrder: (orderId) => db.all<LogRow>('SELECT * FROM payment_log WHERE merchant_order_id = $1 ORDER BY id', [orderId]).map(toEntry),
  };
}
