import type { Alert, AlertStore } from '../../ports/alert-store';
import type { Db } from './open-database';

export function createSqliteAlertStore(db: Db): AlertStore {
  const raise = db.prepare('INSERT INTO alerts (at, merchant_order_id, session_id, code, message) VALUES (?, ?, ?, ?, ?)');
  const open = db.prepare<[number], AlertRow>('SELECT * FROM alerts WHERE resolved = 0 ORDER BY id DESC LIMIT ?');
  const latestFor = db.prepare<[string, string], AlertRow>('SELECT * FROM alerts WHERE session_id = ? AND code = ? ORDER BY id DESC LIMIT 1');
  const resolve = db.prepare<[number], AlertRow>('UPDATE alerts SET resolved = 1 WHERE id = ? AND resolved = 0 RETURNING *');
  return {
    raise: (alert) => {
      raise.run(alert.at, alert.merchantOrderId, alert.sessionId, alert.code, alert.message);
    },
    listOpen: (limit) => open.all(limit).map(toAlert),
    latestFor: (sessionId, code) => {
      const row = latestFor.get(sessionId, code);
      return row ? toAlert(row) : null;
    },
    resolve: (id) => {
      const row = resolve.get(id);
      return row ? toAlert(row) : null;
    },
  };
}

interface AlertRow {
  id: number;
  at: number;
  merchant_order_id: string;
  session_id: string | null;
  code: string;
  message: string;
  resolved: number;
}

export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    at: row.at,
    merchantOrderId: row.merchant_order_id,
    sessionId: row.session_id,
    code: row.code as Alert['code'],
    message: row.message,
    resolved: row.resolved === 1,
  };
}
