import type { AlertStore } from '../../ports/alert-store';
import type { InboxStore } from '../../ports/inbox-store';
import type { OutboxStore } from '../../ports/outbox-store';
import type { PaymentLinkStore } from '../../ports/payment-link-store';
import type { ParkedEventStore } from '../../ports/parked-event-store';
import type { PaymentLog } from '../../ports/payment-log';
import type { SessionStore } from '../../ports/session-store';
import type { ShopRefundStore } from '../../ports/shop-refund-store';
import type { UnitOfWork } from '../../ports/unit-of-work';
import { createUnitOfWork, type UnitOfWorkOptions } from './group-commit';
import type { Db } from './open-database';
import { createSqliteAlertStore } from './sqlite-alert-store';
import { createSqliteInboxStore } from './sqlite-inbox-store';
import { createSqliteOutboxStore } from './sqlite-outbox-store';
import { createSqlitePaymentLinkStore } from './sqlite-payment-link-store';
import { createSqliteParkedEventStore } from './sqlite-parked-event-store';
import { createSqlitePaymentLog } from './sqlite-payment-log';
import { createSqliteSessionStore } from './sqlite-session-store';
import { createSqliteShopRefundStore } from './sqlite-shop-refund-store';

/** Every store the relay uses, over one database handle. For the unit of work's options see group-commit.ts. */
export interface Stores {
  sessions: SessionStore;
  inbox: InboxStore;
  outbox: OutboxStore;
  log: PaymentLog;
  alerts: AlertStore;
  links: PaymentLinkStore;
  parked: ParkedEventStore;
  refunds: ShopRefundStore;
  unitOfWork: UnitOfWork;
}

export function createSqliteStores(db: Db, unitOfWork: UnitOfWorkOptions = {}): Stores {
  return {
    sessions: createSqliteSessionStore(db),
    inbox: createSqliteInboxStore(db),
    outbox: createSqliteOutboxStore(db),
    log: createSqlitePaymentLog(db),
    alerts: createSqliteAlertStore(db),
    links: createSqlitePaymentLinkStore(db),
    parked: createSqliteParkedEventStore(db),
    refunds: createSqliteShopRefundStore(db),
    unitOfWork: createUnitOfWork(db, unitOfWork),
  };
}
