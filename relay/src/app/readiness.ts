import type { Clock } from '../ports/clock';
import type { OpsStore } from '../ports/ops-store';
import { describeShopProblem, type ShopHealth } from './shop-health';

export interface ReadinessDeps {
  /** A real write through the same group commit the worker uses, resolved once it is on disk. */
  probeWrite(): Promise<void>;
  /** Set once the disk refused a flush: nothing more can be acknowledged until a restart. */
  storageFailure(): Error | null;
  shop: ShopHealth;
  shopUrl: string;
  ops: Pick<OpsStore, 'oldestPendingAt'>;
  clock: Clock;
  /** Older than this, the oldest waiting command means shop writes are stuck, not merely busy. */
  maxOutboxAgeMs: number;
  /** A shop answer younger than this is reused (a load balancer polling /readyz must not hammer the shop). */
  shopCheckMaxAgeMs: number;
  /** Longest the database probe may take (a held lock or a slow disk) before it counts as failed. */
  probeTimeoutMs: number;
}

export interface Readiness {
  ready: boolean;
  /** In words, one per failed check; empty when ready. */
  reasons: string[];
  checks: {
    database: { ok: boolean };
    shop: { ok: boolean; checked_at: string | null; latency_ms?: number; code?: string };
    outbox: { ok: boolean; oldest_pending_age_seconds: number | null; threshold_seconds: number };
  };
}

/**
 * /readyz: ready only when the database takes a durable write, the shop answers with valid keys, and the outbox's
 * oldest waiting command is younger than the threshold. /healthz stays a liveness check (is the process serving).
 */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const reasons: string[] = [];
  const [database, shop] = await Promise.all([probeDatabase(deps), deps.shop.current(deps.shopCheckMaxAgeMs)]);
  if (!database.ok) reasons.push(database.reason);
  if (!shop.ok) reasons.push(`${describeShopProblem(deps.shopUrl, shop)}; order updates wait in the outbox until it answers`);

  const oldest = deps.ops.oldestPendingAt();
  const ageMs = oldest === null ? null : Math.max(0, deps.clock.now() - oldest);
  const outboxOk = ageMs === null || ageMs <= deps.maxOutboxAgeMs;
  if (!outboxOk) reasons.push(`the oldest command in the outbox has waited ${Math.round(ageMs! / 1000)} s (more than ${Math.round(deps.maxOutboxAgeMs / 1000)} s): shop writes are stuck; see the alerts (GET /v1/alerts, the plugin's diagnostics) and the log`);

  return {
    ready: reasons.length === 0,
    reasons,
    checks: {
      database: { ok: database.ok },
      shop: shop.ok
        ? { ok: true, checked_at: new Date(shop.at).toISOString(), latency_ms: shop.latencyMs }
        : { ok: false, checked_at: new Date(shop.at).toISOString(), code: shop.code },
      outbox: { ok: outboxOk, oldest_pending_age_seconds: ageMs === null ? null : Math.round(ageMs / 1000), threshold_seconds: Math.round(deps.maxOutboxAgeMs / 1000) },
    },
  };
}

async function probeDatabase(deps: ReadinessDeps): Promise<{ ok: true } | { ok: false; reason: string }> {
  const failure = deps.storageFailure();
  if (failure) return { ok: false, reason: `the database cannot be written (${failure.message}): restart the relay` };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no durable write within ${deps.probeTimeoutMs} ms (locked by another process, or a slow disk)`)), deps.probeTimeoutMs);
  });
  try {
    await Promise.race([deps.probeWrite(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `the database does not take writes: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}
