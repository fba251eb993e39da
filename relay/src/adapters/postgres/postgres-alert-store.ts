import type { AlertStore } from '../../ports/alert-store';
import { toAlert } from '../sqlite/sqlite-alert-store';
import type { PgDb } from './pg-database';

type AlertRow = Parameters<typeof toAlert>[0];

export function createPostgresAlertStore(db: PgDb): AlertStore {
  return {
    raise: (alert) => {
      db.run('INSERT INTO alerts (at, merchant_order_id, session_id, code, message) VALUES ($1, $2, $3, $4, $5)', [alert.at, alert.merchantOrderId, alert.sessionId, alert.code, alert.message]);
    },
    listOpen: (limit) => db.all<AlertRow>('SELECT * FROM alerts WHERE resolved = 0 ORDER BY id DESC LIMIT $1', [limit]).map(toAlert),
    latestFor: (sessionId, code) => {
      const row = db.get<AlertRow>('SELECT * FROM alerts WHERE session_id = $1 AND code = $2 ORDER BY id DESC LIMIT 1', [sessionId, code]);
      return row ? toAlert(row) : null;
    },
    resolve: (id) => {
      const row = db.get<AlertRow>('UPDATE alerts SET resolved = 1 WHERE id = $1 AND resolved = 0 RETURNING *', [id]);
      return row ? toAlert(row) : null;
    },
  };
}
