import type { Alert, AlertStore } from '../../ports/alert-store';
import type { Db } from './open-database';

export function createSqliteAlertStore(db: Db): AlertStore {
  const raise = db.prepare('INSERT INTO alerts (at, merchant_order_id, session_id, code, message) VALUES (?, ?, ?, ?, ?)');
  const open = db.prepare<[number], { id: number; at: number; merchant_order_id: string; session_id: string | null; code: string; message: string }>(
    'SELECT * FROM alerts WHERE resolved = 0 ORDER BY id DESC LIMIT ?',
  );
  const resolve = db.prepare('UPDATE alerts SET resolved = 1 WHERE id = ? AND resolved = 0');
  return {
    raise: (alert) => {
      raise.run(alert.at, alert.merchantOrderId, alert.sessionId, alert.code, alert.message);
    },
    listOpen: (limit) =>
      open.all(limit).map((row) => ({
        id: row.id,
        at: row.at,
        merchantOrderId: row.merchant_order_id,
        sessionId: row.session_id,
        code: row.code as Alert['code'],
        message: row.message,
        resolved: false,
      })),
    resolve: (id) => resolve.run(id).changes === 1,
  };
}
