import type { Stores } from '../sqlite/sqlite-stores';
import type { PgDb } from './pg-database';
import { createPostgresAlertStore } from './postgres-alert-store';
import { createPostgresInboxStore } from './postgres-inbox-store';
import { createPostgresOutboxStore, type PostgresOutboxOptions } from './postgres-outbox-store';
import { createPostgresParkedEventStore } from './postgres-parked-event-store';
import { createPostgresPaymentLinkStore } from './postgres-payment-link-store';
import { createPostgresPaymentLog } from './postgres-payment-log';
import { createPostgresSessionStore } from './postgres-session-store';
import { createPostgresShopRefundStore } from './postgres-shop-refund-store';
import { createPostgresUnitOfWork } from './postgres-unit-of-work';

/** Every store the relay uses, over one PostgreSQL connection (the same `Stores` as createSqliteStores). */
export function createPostgresStores(db: PgDb, outbox: PostgresOutboxOptions = {}): Stores {
  return {
    sessions: createPostgresSessionStore(db),
    inbox: createPostgresInboxStore(db),
    outbox: createPostgresOutboxStore(db, outbox),
    log: createPostgresPaymentLog(db),
    alerts: createPostgresAlertStore(db),
    links: createPostgresPaymentLinkStore(db),
    parked: createPostgresParkedEventStore(db),
    refunds: createPostgresShopRefundStore(db),
    unitOfWork: createPostgresUnitOfWork(db),
  };
}
