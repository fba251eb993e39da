import type http from 'node:http';
import { createSqliteShopRegistry } from './adapters/sqlite/sqlite-shop-registry';
import { ConfigError } from './config/load-config';
import type { RelayConfig } from './config/config-schema';
import { shopConfig } from './config/shop-config';
import { createShopFrontDoor } from './http/shop-front-door';
import type { Logger } from './ports/logger';
import { startRelay, type RelayHandle, type RelayOverrides } from './relay';

export interface RelayWithShops {
  /** The environment shop's relay; its server serves every shop. */
  relay: RelayHandle;
  /** Each registered shop's own relay (own database file, providers, WooCommerce gateway, outbox worker, schedules). */
  shops: ReadonlyMap<string, RelayHandle>;
  /** Registered shops that did not start, with why. */
  failed: ReadonlyMap<string, string>;
  close(): Promise<void>;
}

/**
 * Database per shop: every registered shop gets a relay of its own built by the same composition (startRelay)
 * over its own SQLite file, mounted in the environment shop's server. Keeping each shop's data in its own store
 * and its writes in its own worker is what makes one shop's reads, outage or backlog unable to reach another's:
 * there is no query that could forget a shop filter, and no queue two shops share. Shops are read from the
 * registry at start (npm run shops:add, then restart). PostgreSQL relays serve the environment shop only.
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
  const frontDoor = createShopFrontDoor({ running, failed });
  const relay = await startRelay(config, { ...overrides, frontDoor: (req: http.IncomingMessage, res: http.ServerResponse) => running.size + failed.size > 0 && frontDoor(req, res) });
  if (!config.databaseUrl) {
    for (const shop of createSqliteShopRegistry(relay.db).list()) {
      try {
        // Only what is the process's, not the environment shop's gateway or providers.
        const shared: RelayOverrides = { clock: overrides.clock, logger: overrides.logger, background: overrides.background, random: overrides.random };
        const shopRelay = await startRelay(shopConfig(env, config, shop, relay.url), { ...shared, ...shopOverrides(shop.id), mounted: true });
        running.set(shop.id, shopRelay);
      } catch (error) {
        // One shop's bad settings or locked file must not stop the others: it is refused with why (503) instead.
        const why = error instanceof ConfigError ? error.problems.join('; ') : error instanceof Error ? error.message : String(error);
        failed.set(shop.id, why);
        (logger ?? overrides.logger)?.error('a registered shop did not start; its requests are answered 503', { shop: shop.id, error: why });
      }
    }
  }
  let closing: Promise<void> | null = null;
  return {
    relay,
    shops: running,
    failed,
    close() {
      closing ??= (async () => {
        await relay.close();
        await Promise.all([...running.values()].map((shop) => shop.close()));
      })();
      return closing;
    },
  };
}
