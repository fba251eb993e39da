import type { Alert, AlertStore } from '../ports/alert-store';
import type { Clock } from '../ports/clock';
import type { PaymentLog } from '../ports/payment-log';
import type { UnitOfWork } from '../ports/unit-of-work';

export interface DismissAlertDeps {
  stores: { alerts: Pick<AlertStore, 'resolve' | 'listOpen'>; log: Pick<PaymentLog, 'append'> };
  unitOfWork: Pick<UnitOfWork, 'transaction'>;
  clock: Clock;
}

/**
 * A person dismissed an alert (in the plugin's diagnostics, or on the relay dashboard): it leaves the open list,
 * the row stays, and the order's payment log says where it was dismissed, so support reading it later knows the
 * alert was seen. Null when no alert with this id is open.
 */
export function dismissAlert(deps: DismissAlertDeps, id: number, where: string): Alert | null {
  const now = deps.clock.now();
  return deps.unitOfWork.transaction(() => {
    const alert = deps.stores.alerts.resolve(id);
    if (alert) {
      deps.stores.log.append({
        at: now,
        merchantOrderId: alert.merchantOrderId,
        sessionId: alert.sessionId,
        provider: null,
        kind: 'alert',
        message: `Alert dismissed in ${where}: ${alert.message}`,
        data: { alertId: alert.id, code: alert.code, raisedAt: alert.at },
      });
    }
    return alert;
  });
}

/**
 * A person retried or dismissed an order's dead letter: its "order was NOT updated" alert has been acted on. If the
 * retry dies again, the worker raises a fresh alert, so nothing is hidden. Returns the alerts dismissed.
 */
export function dismissDeadLetterAlerts(deps: DismissAlertDeps, merchantOrderId: string, where: string): Alert[] {
  return deps.stores.alerts
    .listOpen(1000)
    .filter((alert) => alert.code === 'dead_letter' && alert.merchantOrderId === merchantOrderId)
    .map((alert) => dismissAlert(deps, alert.id, where))
    .filter((alert): alert is Alert => alert !== null);
}
