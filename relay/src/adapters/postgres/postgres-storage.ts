import type { AlarmStore } from '../../ports/alarm-store';
import type { OpsStore } from '../../ports/ops-store';
import type { OrderLock } from '../../ports/order-lock';
import type { ShopRefundStore } from '../../ports/shop-refund-store';
import type { WebhookSecretStore } from '../../ports/webhook-secret-store';
import type { SandboxLedger } from '../../providers/sandbox/sandbox-ledger';
import type { Stores } from '../sqlite/sqlite-stores';
import { openPostgres } from './open-postgres';
import type { PgDb } from './pg-database';
import { createPostgresAlarmStore } from './postgres-alarm-store';
import { createPostgresFleet, FLEET_LEASE_MS, type PostgresFleet } from './postgres-fleet';
import { createPostgresOpsStore } from './postgres-ops-store';
import { createPostgresOrderLock } from './postgres-order-lock';
import { createPostgresSandboxLedger } from './postgres-sandbox-ledger';
import { createPostgresShopRefundStore } from './postgres-shop-refund-store';
import { createPostgresStores } from './postgres-stores';
import { createPostgresWebhookSecretStore } from './postgres-webhook-secret-store';

/** Everything the relay keeps in PostgreSQL, over the HTTP loop's connection (webhooks use the recorder thread's own). */
export interface PostgresStorage {
  db: PgDb;
  stores: Stores;
  webhookSecrets: WebhookSecretStore;
  ops: OpsStore;
  alarms: AlarmStore;
  refunds: ShopRefundStore;
  sandboxLedger: SandboxLedger;
  fleet: PostgresFleet;
  /** One holder per key (an order's refunds) across the fleet. */
  orderLock: OrderLock;
  /** How long a worker's claim holds before another relay may take it over (renewed by the heartbeat). */
  leaseMs: number;
  /** A real write, durable when it resolves (/readyz): this relay's heartbeat row. */
  probeWrite(): Promise<void>;
}

/** `schema`: a registered shop's own schema (schema per shop); without it the connection's own (the main one). */
export function openPostgresStorage(url: string, owner: string, options: { lockTimeoutMs?: number; now?: () => number; schema?: string } = {}): PostgresStorage {
  const now = options.now ?? Date.now;
  const db = openPostgres(url, options);
  const stores = createPostgresStores(db, { claimAs: { owner, leaseMs: FLEET_LEASE_MS } });
  const fleet = createPostgresFleet(db, owner, now());
  return {
    db,
    stores,
    webhookSecrets: createPostgresWebhookSecretStore(db),
    ops: createPostgresOpsStore(db),
    alarms: createPostgresAlarmStore(db),
    refunds: createPostgresShopRefundStore(db),
    sandboxLedger: createPostgresSandboxLedger(db),
    fleet,
    orderLock: createPostgresOrderLock(db),
    leaseMs: FLEET_LEASE_MS,
    probeWrite: () => stores.unitOfWork.commitDurably(() => fleet.recordHeartbeat(now())),
  };
}

/** The URL without its password, for banners and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}
