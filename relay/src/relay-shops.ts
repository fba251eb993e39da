import type http from 'node:http';
import express from 'express';
import { createSqliteShopRegistry } from './adapters/sqlite/sqlite-shop-registry';
import { createPostgresShopRegistry } from './adapters/postgres/postgres-shop-registry';
import { ConfigError } from './config/load-config';
import type { RelayConfig } from './config/config-schema';
import { shopConfig } from './config/shop-config';
import { createShopFrontDoor } from './http/shop-front-door';
import { createErrorHandler } from './http/error-handler';
import { SHOP_ADMIN_PATH, shopAdminRoutes } from './http/shop-admin-routes';
import { systemClock } from './ports/clock';
import { createWinstonLogger } from './adapters/winston-logger';
import type { Logger } from './ports/logger';
import type { ShopRecord } from './ports/shop-registry';
import { startRelay, type RelayHandle, type RelayOverrides } from './relay';

export interface RelayWithShops {
  /** The environment shop's relay; its server serves every shop. */
  relay: RelayHandle;
  /** Each registered shop's own relay (own database file or schema, providers, WooCommerce gateway, outbox worker, schedules). */
  shops: ReadonlyMap<string, RelayHandle>;
  /** Registered shops that did not start, with why. */
  failed: ReadonlyMap<string, string>;
  /** Each registered shop's WooCommerce address (for messages). */
  shopUrls: ReadonlyMap<string, string>;
  /** Starts shops added to the registry and stops those removed (also every few seconds while background work runs). */
  syncShops(): Promise<SyncReport>;
  close(): Promise<void>;
}

export interface SyncReport {
  started: string[];
  stopped: string[];
}

/** How often a running relay looks at the shops registry for shops added or removed. */
const REGISTRY_POLL_MS = 5_000;

/**
 * Database per shop: every registered shop gets a relay of its own built by the same composition (startRelay)
 * over its own store (a SQLite file, or on PostgreSQL a schema of its own), mounted in the environment shop's
 * server. Keeping each shop's data in its own store and its writes in its own worker is what makes one shop's
 * reads, outage or backlog unable to reach another's: there is no query that could forget a shop filter, and no
 * queue two shops share. Shops are read from the registry at start and every few seconds after (npm run
 * shops:add / shops:remove, or the shops API of any relay of a fleet, need no restart).
 *
 * A fleet learns of shops by polling the registry in the main schema, not by looking an unknown id up on a miss:
 * a removal or a shop added again with new settings is never a miss, so the poll is needed anyway, and a look-up
 * on a miss would put a database read in front of every unauthenticated request naming an unknown shop.
 */
export async function startRelayWithShops(
  config: Readonly<RelayConfig>,
  env: NodeJS.ProcessEnv,
  overrides: RelayOverrides = {},
  shopOverrides: (shopId: string) => RelayOverrides = () => ({}),
  logger?: Logger,
): Promise<RelayWithShops> {
  const running = new Map<string, RelayHandle>();
  const failed = new Map<string, string>();
  // Which registry row each served shop was started from: removed and added again (new settings) restarts it.
  const startedFrom = new Map<string, number>();
  const shopUrls = new Map<string, string>();
  const frontDoor = createShopFrontDoor({ running, failed });
  const dashboards = () => [...running.keys()].map((id) => ({ label: `shop ${id}`, href: `/shops/${id}/admin/` }));
  // The shops API (http/shop-admin-routes.ts), answered here: it is the registry's, not one shop's.
  let shopAdmin: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null = null;
  const door = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (shopAdmin && (req.url ?? '').startsWith(SHOP_ADMIN_PATH)) {
      shopAdmin(req, res);
      return true;
    }
    return running.size + failed.size > 0 && frontDoor(req, res);
  };
  const relay = await startRelay(config, { ...overrides, dashboard: { others: dashboards }, frontDoor: door });
  const log = logger ?? overrides.logger ?? createWinstonLogger(config.logLevel);
  // Only what is the process's, not the environment shop's gateway or providers.
  const shared: RelayOverrides = { clock: overrides.clock, logger: overrides.logger, background: overrides.background, random: overrides.random };
  const registry = relay.pg ? createPostgresShopRegistry(relay.pg) : createSqliteShopRegistry(relay.db);

  const stopShop = async (id: string) => {
    const shop = running.get(id);
    running.delete(id);
    failed.delete(id);
    startedFrom.delete(id);
    shopUrls.delete(id);
    await shop?.close();
  };
  const startShop = async (shop: ShopRecord) => {
    startedFrom.set(shop.id, shop.createdAt);
    shopUrls.set(shop.id, shop.wcUrl);
    try {
      const shopRelay = await startRelay(shopConfig(env, config, shop, relay.url, registry.placeOf(shop.id)), {
        ...shared,
        ...shopOverrides(shop.id),
        mounted: true,
        // Its own dashboard, over its own store: one shop at a time, the admin picks which in the header.
        dashboard: { root: `/shops/${shop.id}/admin`, shop: shop.id, others: () => [{ label: 'environment shop', href: '/admin/' }, ...dashboards().filter((d) => d.label !== `shop ${shop.id}`)] },
      });
      failed.delete(shop.id);
      running.set(shop.id, shopRelay);
      log.info('serving a registered shop', { shop: shop.id });
    } catch (error) {
      // One shop's bad settings or locked file must not stop the others: it is refused with why (503) instead.
      const why = error instanceof ConfigError ? error.problems.join('; ') : error instanceof Error ? error.message : String(error);
      failed.set(shop.id, why);
      log.error('a registered shop did not start; its requests are answered 503', { shop: shop.id, error: why });
    }
  };
  let closing: Promise<void> | null = null;
  let syncing: Promise<SyncReport> = Promise.resolve({ started: [], stopped: [] });
  const syncShops = (): Promise<SyncReport> => {
    syncing = syncing.then(async () => {
      const report: SyncReport = { started: [], stopped: [] };
      if (closing) return report;
      const wanted = new Map(registry.list().map((shop) => [shop.id, shop]));
      for (const id of [...startedFrom.keys()]) {
        if (wanted.get(id)?.createdAt === startedFrom.get(id)) continue;
        await stopShop(id);
        report.stopped.push(id);
      }
      for (const shop of wanted.values()) {
        if (startedFrom.has(shop.id)) continue;
        await startShop(shop);
        report.started.push(shop.id);
      }
      return report;
    });
    return syncing;
  };
  const adminApp = express();
  adminApp.disable('x-powered-by');
  adminApp.use(
    shopAdminRoutes({
      registry,
      relay: { env, config },
      clock: overrides.clock ?? systemClock,
      publicUrl: () => relay.url,
      state: (id) => ({ serving: running.has(id), problem: failed.get(id) ?? null }),
      sync: syncShops,
    }),
  );
  adminApp.use(createErrorHandler(log));
  shopAdmin = adminApp;
  await syncShops();
  // npm run shops:add / shops:remove write the registry; a running relay follows it within a few seconds.
  const timer = overrides.background === false ? null : setInterval(() => void syncShops().catch((error) => log.error('reading the shops registry failed', { error: String(error) })), REGISTRY_POLL_MS);
  timer?.unref();

  return {
    relay,
    shops: running,
    failed,
    shopUrls,
    syncShops,
    close() {
      closing ??= (async () => {
        if (timer) clearInterval(timer);
        await syncing.catch(() => undefined);
        await relay.close();
        await Promise.all([...running.values()].map((shop) => shop.close()));
      })();
      return closing;
    },
  };
}
