import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createWinstonLogger } from './adapters/winston-logger';
import { startBackgroundCheckpoints, WRITER_AUTOCHECKPOINT_PAGES } from './adapters/sqlite/background-checkpoints';
import { openDatabase, type Db } from './adapters/sqlite/open-database';
import { createSqliteStores, type Stores } from './adapters/sqlite/sqlite-stores';
import { createWalFsync } from './adapters/sqlite/wal-fsync';
import { createThreadedRecorder } from './adapters/recorder-thread/threaded-recorder';
import { createProcessRecorder } from './adapters/recorder-process/process-recorder';
import { createWooCommerceGateway } from './adapters/woocommerce/woocommerce-order-gateway';
import { createInProcessRecorder } from './app/in-process-recorder';
import { createWebhookIntake } from './app/webhook-intake';
import { releaseParkedEvents } from './app/record-provider-event';
import type { EventRecorder } from './ports/event-recorder';
import { expireDueSessions } from './app/expire-sessions';
import { fastForwardToExpiry } from './app/fast-forward-expiry';
import { runAlarms, type AlarmReport } from './app/run-alarms';
import { createSqliteAlarmStore } from './adapters/sqlite/sqlite-alarm-store';
import { reconcile } from './app/reconcile';
import type { RelayConfig } from './config/config-schema';
import { demoShopRoutes, DEMO_SHOP_PATH, generateDemoKeys } from './demo-shop/demo-shop-routes';
import type { ProviderId } from './domain/provider-event';
import { opsRoutes } from './http/ops-routes';
import { refundRoutes } from './http/refund-routes';
import { recoverInterruptedRefunds } from './app/recover-interrupted-refunds';
import type { RefundDeps } from './app/refund-order';
import { createSqliteWebhookSecretStore } from './adapters/sqlite/sqlite-webhook-secret-store';
import { connectRoutes } from './http/connect-routes';
import { buildWebhookRegistrars } from './providers/webhook-registrars';
import { sessionRoutes } from './http/session-routes';
import { siteRoutes } from './http/site-routes';
import { paymentLinkRoutes } from './http/payment-link-routes';
import { linkKey } from './domain/payment-link-token';
import type { CreateSessionDeps } from './app/create-session';
import { signShopRequest } from './http/request-signature';
import { createErrorHandler } from './http/error-handler';
import { createWebhookEndpoint } from './http/webhook-endpoint';
import { renderIndexPage } from './http/index-page';
import { listen } from './http/listen';
import { monitoringRoutes } from './http/monitoring-routes';
import { adminRoutes } from './http/admin/admin-routes';
import { createPrometheusMetrics } from './adapters/prometheus-metrics';
import { instrumentProviders } from './adapters/instrumented-provider';
import { createSqliteOpsStore } from './adapters/sqlite/sqlite-ops-store';
import { createShopHealth, type ShopHealth } from './app/shop-health';
import { systemClock, type Clock } from './ports/clock';
import type { Logger } from './ports/logger';
import type { OrderGateway } from './ports/order-gateway';
import type { PaymentProvider } from './ports/payment-provider';
import type { WebhookRegistrar } from './ports/webhook-registrar';
import type { PaypalCertificateCache } from './providers/paypal/paypal-certificates';
import { buildProviders } from './providers/provider-registry';
import { sandboxCheckoutRoutes } from './providers/sandbox/sandbox-checkout-routes';
import { SqliteSandboxLedger } from './providers/sandbox/sqlite-sandbox-ledger';
import type { SandboxLedger } from './providers/sandbox/sandbox-ledger';
import { createOutboxWorker, workerOwnerId, type OutboxWorker } from './worker/outbox-worker';
import { createSqliteRelayLock, processAlive } from './adapters/sqlite/sqlite-relay-lock';
import { openPostgresStorage } from './adapters/postgres/postgres-storage';
import { FLEET_HEARTBEAT_MS } from './adapters/postgres/postgres-fleet';
import { createInProcessOrderLock } from './adapters/in-process-order-lock';
import type { PgDb } from './adapters/postgres/pg-database';
import { describeHolder, LOCK_STALE_AFTER_MS } from './domain/relay-lock-rule';
import { loadRouteRules } from './app/route-rules';
import { createBreakerBoard } from './domain/circuit-breaker';
import { ProviderHealthBoard } from './domain/provider-health';
import { learnFromDeclines } from './app/learn-from-declines';
import { createNotificationThrottle } from './domain/token-bucket';

/** A relay's heartbeat in the database lock (LOCK_STALE_AFTER_MS: how old it may get before another relay takes the file over). */
const LOCK_HEARTBEAT_MS = 5_000;

export const RELAY_VERSION = '0.1.0';

export interface RelayOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Replace the shop (tests inject a gateway with counters); default: WooCommerce or the demo shop. */
  gateway?: OrderGateway;
  providers?: Map<ProviderId, PaymentProvider>;
  /** Run the outbox worker and the expiry/reconcile schedules (default true). */
  background?: boolean;
  random?: () => number;
  /** PayPal signing certificates (tests trust their own root); default: fetched from PayPal, DigiCert roots. */
  paypalCertificates?: PaypalCertificateCache;
  /** Who registers webhooks for providers:connect (tests point them at stand-ins); default from the configuration. */
  webhookRegistrars?: WebhookRegistrar[];
  /** A registered shop's relay inside another's server (relay-shops.ts): no port of its own, `publicUrl` as configured. */
  mounted?: boolean;
  /** Requests for other shops, taken before this relay's own routes (true = answered). */
  frontDoor?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** The dashboard as a relay with several shops shows it: where browsers see it, whose it is, the others. */
  dashboard?: { root?: string; shop?: string; others?: () => ReadonlyArray<{ label: string; href: string }> };
}

export interface RelayHandle {
  url: string;
  server: http.Server;
  /** Answers one request as this relay's server would (how a mounted shop's relay is reached). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  db: Db;
  /** The PostgreSQL connection (in this relay's schema), or null on SQLite: the shops registry reads through it. */
  pg: PgDb | null;
  stores: Stores;
  /** The sandbox provider's own state (tests play the provider's side with it). */
  sandboxLedger: SandboxLedger;
  worker: OutboxWorker;
  providers: ReadonlyMap<ProviderId, PaymentProvider>;
  gateway: OrderGateway;
  shopSecret: string;
  /** Where the demo shop lives, when no real shop is configured. */
  demoShopUrl: string | null;
  /** Does the shop answer with valid keys? (the start-up warning, /readyz) */
  shopHealth: ShopHealth;
  runExpiry(): Promise<unknown>;
  runReconcile(): Promise<unknown>;
  /** One pass of the webhook alarms (also on a 15 s timer when background work is on). */
  runAlarms(): AlarmReport;
  /** Stop taking requests, finish the shop write in hand, close the database. */
  close(): Promise<void>;
}

/** The composition root: builds every adapter from the validated configuration and starts HTTP and the worker. */
export async function startRelay(config: Readonly<RelayConfig>, overrides: RelayOverrides = {}): Promise<RelayHandle> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createWinstonLogger(config.logLevel);
  const livemode = config.mode === 'live';
  // Checked before anything starts: bad rules stop the relay with every problem listed.
  const rules = loadRouteRules(config.routesFile);
  const owner = workerOwnerId();
  // PAYRELAY_DATABASE_URL: PostgreSQL, shared by a fleet of relays (adapters/postgres/postgres-fleet.ts). The
  // SQLite handle is then an in-memory one, for the demo shop only.
  const pg = config.databaseUrl ? openPostgresStorage(config.databaseUrl, owner, { lockTimeoutMs: config.databaseBusyTimeoutMs, now: () => clock.now(), schema: config.databaseSchema ?? undefined }) : null;
  const sqliteFile = pg ? ':memory:' : config.databasePath;
  // A file's WAL is copied back by a thread of its own (background-checkpoints.ts), not inside the relay's commits.
  const walAutocheckpointPages = sqliteFile === ':memory:' ? undefined : WRITER_AUTOCHECKPOINT_PAGES;
  const db = openDatabase(sqliteFile, { busyTimeoutMs: config.databaseBusyTimeoutMs, walAutocheckpointPages });
  // One relay per file, before anything else starts: a second one would run the same outbox and write every
  // note twice. Refused with who holds it; a holder that is gone is taken over (its outbox claims with it).
  const relayLock = sqliteFile === ':memory:' ? null : createSqliteRelayLock(db);
  if (relayLock) {
    const verdict = relayLock.acquire({ owner, pid: process.pid, host: os.hostname(), since: clock.now() }, clock.now(), LOCK_STALE_AFTER_MS, processAlive);
    if (!verdict.take) {
      db.close();
      throw new Error(describeHolder(verdict.holder, config.databasePath, clock.now(), LOCK_STALE_AFTER_MS));
    }
    if (verdict.reason === 'stale' || verdict.reason === 'holder_exited') logger.warn('took over the database lock of a relay that is gone', { reason: verdict.reason });
  }
  // The HTTP loop's connection: its group commits (the worker's bookkeeping, and webhooks when the recorder
  // thread is off) wait for a held lock on a timer and flush the WAL off the loop, instead of stalling it.
  const walFsync =
    sqliteFile === ':memory:'
      ? undefined
      : createWalFsync(db, (error) => logger.error('the disk failed to flush the database (fdatasync); webhooks and outbox bookkeeping are refused until the relay restarts', { error: String(error) }));
  const stores = pg?.stores ?? createSqliteStores(db, { walFsync, lockWaitMs: config.databaseBusyTimeoutMs });
  const checkpoints = sqliteFile === ':memory:' ? null : startBackgroundCheckpoints(sqliteFile, logger);
  const sandboxLedger = pg?.sandboxLedger ?? new SqliteSandboxLedger(db);
  // Known only after listening when the port is 0 (tests); providers read it when they build checkout URLs.
  let publicUrl = config.publicUrl;
  // Secrets and ids providers:connect stored: read per delivery, so a new one verifies without a restart.
  const webhookSecrets = pg?.webhookSecrets ?? createSqliteWebhookSecretStore(db);
  const ops = pg?.ops ?? createSqliteOpsStore(db);
  const breakers = createBreakerBoard();
  // Recent outcomes per provider, method and country, in memory like the breakers (issue 11).
  const health = new ProviderHealthBoard();
  const metrics = createPrometheusMetrics({ outbox: stores.outbox, ops, breakers, providers: () => providers.keys(), clock });
  // Every provider API call counted and timed (/metrics); verifyWebhook is passed through untouched.
  const providers = instrumentProviders(
    overrides.providers ??
      buildProviders(config, {
        clock,
        sandboxLedger,
        logger,
        publicUrl: () => publicUrl,
        mollieWebhookSecrets: config.mollie?.webhookSecrets ?? [],
        paypalCertificates: overrides.paypalCertificates,
        storedWebhookIds: (provider) => webhookSecrets.activeSecrets(provider, clock.now()),
      }),
    metrics,
  );
  // Without a shop there is no plugin to share a secret with: the demo shop signs with a per-run one.
  const shopSecret = config.shopSecret ?? crypto.randomBytes(24).toString('hex');

  const app = express();
  app.disable('x-powered-by');
  // Nobody revalidates these answers (providers, the plugin); hashing every body for an ETag is wasted work.
  app.set('etag', false);
  // Webhooks are answered before express sees them (http/webhook-endpoint.ts); set once the intake exists.
  let webhookEndpoint: (req: http.IncomingMessage, res: http.ServerResponse) => boolean = () => false;
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!webhookEndpoint(req, res)) app(req, res);
  };
  const server = http.createServer((req, res) => {
    if (!overrides.frontDoor?.(req, res)) handle(req, res);
  });
  try {
    if (!overrides.mounted) await listen(server, config.port, config.host);
  } catch (error) {
    // Nothing else has started yet: close what is open so the process can exit with one line.
    await checkpoints?.stop();
    walFsync?.close();
    relayLock?.release(owner);
    db.close();
    pg?.db.close();
    throw error;
  }
  if (!overrides.mounted && config.port === 0) publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const demo = config.shop ? null : { keys: generateDemoKeys(), siteUrl: `${publicUrl}${DEMO_SHOP_PATH}` };
  // The one site whose session requests are served: a staging copy with the same secret is refused (site-identity.ts).
  const servedSiteUrl = config.shop?.url ?? demo!.siteUrl;
  const gateway =
    overrides.gateway ??
    createWooCommerceGateway(
      config.shop
        ? { url: config.shop.url, consumerKey: config.shop.consumerKey, consumerSecret: config.shop.consumerSecret, timeoutMs: config.shop.timeoutMs, logger, clock }
        : { url: demo!.siteUrl, consumerKey: demo!.keys.consumerKey, consumerSecret: demo!.keys.consumerSecret, timeoutMs: 5000, logger, clock },
    );

  const worker = createOutboxWorker(
    { gateway, providers, stores, unitOfWork: stores.unitOfWork, clock, livemode, logger, cancelOnExpiry: config.cancelOnExpiry },
    {
      policy: { maxAttempts: config.worker.maxAttempts, baseDelayMs: config.worker.baseDelayMs, maxDelayMs: config.worker.maxDelayMs },
      concurrency: config.worker.concurrency,
      pollMs: config.worker.pollMs,
      random: overrides.random,
      metrics,
      owner,
      // On PostgreSQL a lease is short and renewed by the fleet heartbeat: a dead relay's claims run out soon.
      leaseMs: pg?.leaseMs,
    },
  );
  // The lock's heartbeat, group-committed like the worker's bookkeeping. Lost (another relay took the file while
  // this one stalled past the stale limit): stop writing to the shop, and say so.
  const heartbeat = relayLock
    ? setInterval(() => {
        stores.unitOfWork.commitDurably(() => relayLock.heartbeat(owner, clock.now())).then(
          (ours) => {
            if (ours) return;
            logger.error('another relay took over this database file; the outbox worker stops here (restart this relay only after stopping the other)');
            void worker.stop();
          },
          (error) => logger.warn('database lock heartbeat failed', { error: String(error) }),
        );
      }, LOCK_HEARTBEAT_MS)
    : null;
  heartbeat?.unref();
  const shopHealth = createShopHealth(gateway, clock);
  const refreshDeps = { providers, stores, unitOfWork: stores.unitOfWork, clock, livemode, logger };

  app.get('/healthz', (_req, res) => {
    // After the disk refused a flush nothing more is acknowledged: say so where a supervisor looks.
    const storageFailure = walFsync?.failure() ?? recorder.failure?.() ?? null;
    res.status(storageFailure ? 503 : 200).json({
      ok: !storageFailure,
      version: RELAY_VERSION,
      mode: config.mode,
      outbox: stores.outbox.counts(),
      ...(storageFailure ? { storage: `failed (${String(storageFailure)}): restart the relay` } : {}),
    });
  });
  app.get('/', (_req, res) => {
    res.type('html').send(renderIndexPage({ version: RELAY_VERSION, mode: config.mode, providers: [...providers.keys()], demoShopUrl: demo ? `${publicUrl}${DEMO_SHOP_PATH}/` : null, shopUrl: config.shop?.url ?? null }));
  });
  // Webhook transactions off the HTTP loop: SQLite's in a thread on its own connection; PostgreSQL's in a child
  // process on its own connection (recorder-process.ts says why not a thread). A :memory: database cannot be
  // shared with a thread.
  const recorder: EventRecorder & { close?: () => Promise<void>; failure?: () => Error | null } = !config.ingestThread
    ? createInProcessRecorder(stores, stores.unitOfWork, livemode)
    : config.databaseUrl
      ? createProcessRecorder({ databaseUrl: config.databaseUrl, schema: config.databaseSchema, lockTimeoutMs: config.databaseBusyTimeoutMs, livemode }, logger)
      : sqliteFile !== ':memory:'
        ? createThreadedRecorder({ databasePath: config.databasePath, busyTimeoutMs: config.databaseBusyTimeoutMs, livemode, walAutocheckpointPages }, logger)
        : createInProcessRecorder(stores, stores.unitOfWork, livemode);
  const intake = createWebhookIntake({ providers, recorder, logger, notificationThrottle: createNotificationThrottle(), onEventsRecorded: learnFromDeclines(health, stores.sessions) });
  webhookEndpoint = createWebhookEndpoint({ intake, clock, logger, maxBodyBytes: config.maxBodyBytes, onStored: () => worker.poke(), metrics, knownProviders: new Set(providers.keys()) });
  // An order's session requests (session:<order>) and its refunds (refund:<order>) take turns, each among their own:
  // in this relay, and on PostgreSQL across the fleet.
  const orderLock = pg?.orderLock ?? createInProcessOrderLock();
  // One set of create-session dependencies: the plugin's POST /v1/sessions and a payment link opened by a customer.
  const sessionDeps: CreateSessionDeps = {
    sessions: stores.sessions,
    log: stores.log,
    providers,
    rules,
    breakers,
    health,
    clock,
    ids: { sessionId: () => `ps_${crypto.randomBytes(12).toString('hex')}`, statusToken: () => `st_${crypto.randomBytes(18).toString('base64url')}` },
    config: { sessionTtlMinutes: config.sessionTtlMinutes, publicUrl, livemode, attemptTimeoutMs: config.providerTimeoutMs },
    transaction: (fn) => stores.unitOfWork.transaction(fn),
    orderLock,
    onSessionWritten: (session, now) => {
      if (releaseParkedEvents(stores, session, livemode, now).length > 0 || stores.outbox.hasPending(session.merchantOrderId)) setImmediate(() => worker.poke());
    },
    logger,
  };
  app.use(
    sessionRoutes({
      ...sessionDeps,
      shopSecret,
      maxBodyBytes: config.maxBodyBytes,
      servedSiteUrl,
    }),
  );
  app.use(
    paymentLinkRoutes({
      links: stores.links,
      session: sessionDeps,
      gateway,
      tokenKey: linkKey(shopSecret),
      linkId: () => `pl_${crypto.randomBytes(9).toString('base64url')}`,
      publicUrl,
      shopSecret,
      maxBodyBytes: config.maxBodyBytes,
      servedSiteUrl,
    }),
  );
  app.use(siteRoutes({ shopSecret, clock, maxBodyBytes: config.maxBodyBytes, servedSiteUrl }));
  const refundDeps: RefundDeps = { providers, stores, refunds: stores.refunds, unitOfWork: stores.unitOfWork, clock, orderLock, providerTimeoutMs: config.providerTimeoutMs };
  app.use(refundRoutes({ ...refundDeps, shopSecret, maxBodyBytes: config.maxBodyBytes }));
  app.use(
    monitoringRoutes({
      readiness: {
        // A real, harmless write through the worker's group commit, on disk when it resolves: the lock's heartbeat
        // (never the schema version, which migrations own). A file opened in memory has no lock and no disk.
        probeWrite: pg?.probeWrite ?? (() => stores.unitOfWork.commitDurably(() => {
          if (relayLock && !relayLock.heartbeat(owner, clock.now())) throw new Error('another relay holds this database file (it took the lock over); stop one of them');
        })),
        storageFailure: () => {
          const failure = walFsync?.failure() ?? recorder.failure?.() ?? null;
          return failure === null ? null : failure instanceof Error ? failure : new Error(String(failure));
        },
        shop: shopHealth,
        shopUrl: config.shop?.url ?? `${publicUrl}${DEMO_SHOP_PATH}`,
        ops,
        clock,
        maxOutboxAgeMs: config.readyMaxOutboxAgeMs,
        shopCheckMaxAgeMs: 30_000,
        probeTimeoutMs: 3000,
      },
      metrics,
      metricsToken: config.metricsToken,
      openapiFile: findOpenapiFile(),
    }),
  );
  app.use(
    connectRoutes({
      registrars: overrides.webhookRegistrars ?? buildWebhookRegistrars(config, clock),
      secrets: webhookSecrets,
      clock,
      publicUrl: () => publicUrl,
      envSecrets: new Set([...(config.stripe?.webhookSecrets.length ? ['stripe'] : []), ...(config.adyen?.hmacKeys.length ? ['adyen'] : [])]),
      shopSecret,
      maxBodyBytes: config.maxBodyBytes,
    }),
  );
  app.use(
    adminRoutes({
      auth: { adminToken: config.adminToken, sandboxMode: demo !== null, clock, secureCookies: publicUrl.startsWith('https:') },
      mode: config.mode,
      clock,
      ops,
      stores,
      unitOfWork: stores.unitOfWork,
      breakers,
      providers: () => providers.keys(),
      publicUrl: () => publicUrl,
      demoShopUrl: demo ? `${publicUrl}${DEMO_SHOP_PATH}/` : null,
      pokeWorker: () => worker.poke(),
      root: overrides.dashboard?.root,
      shop: overrides.dashboard?.shop,
      dashboards: overrides.dashboard?.others,
    }),
  );
  app.use(opsRoutes({ ...refreshDeps, gateway, shopSecret, maxBodyBytes: config.maxBodyBytes, mode: config.mode, version: RELAY_VERSION, pokeWorker: () => worker.poke() }));
  if (providers.has('sandbox')) {
    app.use(
      sandboxCheckoutRoutes({
        ledger: sandboxLedger,
        secret: config.sandbox.webhookSecret,
        clock,
        webhookUrl: `${publicUrl}/webhooks/sandbox`,
        logger,
        // Sandbox mode only (the demo shop): a newcomer sees expired ≠ failed without waiting out the session.
        expireNow: demo
          ? async (id) => {
              const result = await fastForwardToExpiry({ ...refreshDeps, cancelOnExpiry: config.cancelOnExpiry }, id);
              if (!result.ok) return result.error.message;
              if (result.value.deferred > 0 && result.value.expired === 0) return 'the provider could not be asked about this session; the expiry job tries again in 30 seconds';
              worker.poke();
              return null;
            }
          : undefined,
        lookupSession: (id) => {
          const session = stores.sessions.get(id);
          return session && session.provider === 'sandbox'
            ? { merchantOrderId: session.merchantOrderId, amountMinor: session.amountMinor, currency: session.currency, returnUrl: session.returnUrl ?? publicUrl, cancelUrl: session.cancelUrl ?? publicUrl, status: session.status, expiresAt: session.expiresAt }
            : null;
        },
      }),
    );
  }
  if (demo) {
    app.use(
      DEMO_SHOP_PATH,
      demoShopRoutes({
        db,
        consumerKey: demo.keys.consumerKey,
        consumerSecret: demo.keys.consumerSecret,
        siteUrl: demo.siteUrl,
        clock,
        createSession: (order) => createSessionOverHttp(publicUrl, shopSecret, clock, { ...order, site_url: servedSiteUrl }),
        timelineUrl: (orderId) => `/admin/orders/${orderId}`,
      }),
    );
  }
  app.use(createErrorHandler(logger));

  const timers: NodeJS.Timeout[] = [];
  // Apart from the schedules: it renews the leases of the commands in hand, so it beats until the worker has
  // stopped (a drain that finishes a slow shop write must not let another relay take that write over meanwhile).
  let fleetBeat: NodeJS.Timeout | null = null;
  const runExpiry = () => expireDueSessions({ ...refreshDeps, cancelOnExpiry: config.cancelOnExpiry }).then((report) => (report.expired > 0 && worker.poke(), report));
  const runReconcile = () =>
    reconcile({ ...refreshDeps, gateway }, { staleAfterMs: config.reconcile.pendingAfterMinutes * 60_000, compareWindowMs: 24 * 3600_000, limit: 100 }).then((report) => {
      worker.poke();
      return report;
    });
  const alarmStore = pg?.alarms ?? createSqliteAlarmStore(db);
  const alarmPass = () => runAlarms({ alarms: alarmStore, clock, transaction: (fn) => stores.unitOfWork.transaction(fn), logger });
  if (overrides.background !== false) {
    worker.start();
    // A fleet runs each schedule once, on its leader (the others skip their turn); renewing this relay's outbox
    // leases rides on the same heartbeat.
    if (pg) {
      const beat = () => {
        try {
          pg.fleet.beat(clock.now(), worker.commandsInHand());
        } catch (error) {
          logger.warn('fleet heartbeat failed', { error: String(error) });
        }
      };
      beat();
      fleetBeat = setInterval(beat, FLEET_HEARTBEAT_MS);
      fleetBeat.unref();
    }
    const every = (ms: number, job: () => Promise<unknown>, name: string) => {
      let busy = false;
      const timer = setInterval(() => {
        if (busy || (pg && !pg.fleet.isLeader())) return;
        busy = true;
        job()
          .catch((failure) => logger.error(`${name} failed`, { error: String(failure) }))
          .finally(() => (busy = false));
      }, ms);
      timer.unref();
      timers.push(timer);
    };
    every(30_000, runExpiry, 'expiry');
    every(15_000, async () => alarmPass(), 'alarms');
    every(30_000, () => recoverInterruptedRefunds(refundDeps).then(({ recovered }) => {
      if (recovered.length > 0) logger.warn('refunds interrupted by a stop of the relay are settled as lost answers', { refunds: recovered.map((r) => `${r.merchantOrderId}/${r.shopRefundId}`) });
    }), 'interrupted refunds');
    if (config.reconcile.intervalMs > 0) every(config.reconcile.intervalMs, runReconcile, 'reconcile');
  }

  let closing: Promise<void> | null = null;
  return {
    url: publicUrl,
    server,
    handle,
    db,
    pg: pg?.db ?? null,
    stores,
    sandboxLedger,
    worker,
    providers,
    gateway,
    shopSecret,
    demoShopUrl: demo ? `${publicUrl}${DEMO_SHOP_PATH}/` : null,
    shopHealth,
    runExpiry,
    runReconcile,
    runAlarms: alarmPass,
    close() {
      closing ??= (async () => {
        timers.forEach(clearInterval);
        await new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          server.closeAllConnections?.();
        });
        await worker.stop();
        if (fleetBeat) clearInterval(fleetBeat);
        await recorder.close?.();
        if (heartbeat) clearInterval(heartbeat);
        relayLock?.release(owner);
        await checkpoints?.stop();
        walFsync?.close();
        db.close();
        if (pg) {
          try {
            pg.fleet.leave();
          } catch (error) {
            logger.warn('could not leave the fleet table', { error: String(error) });
          }
          pg.db.close();
        }
      })();
      return closing;
    },
  };
}

/** shared/openapi.yaml beside the sources (relay/src) or the build (dist/relay/src, and the Docker image's /app). */
function findOpenapiFile(): string | null {
  const candidates = [path.resolve(__dirname, '..', '..', 'shared', 'openapi.yaml'), path.resolve(__dirname, '..', '..', '..', 'shared', 'openapi.yaml')];
  return candidates.find((file) => fs.existsSync(file)) ?? null;
}

/** The demo shop creates sessions the way the plugin does: a signed POST /v1/sessions. */
async function createSessionOverHttp(publicUrl: string, secret: string, clock: Clock, order: Record<string, unknown>): Promise<{ checkout_url: string } | { error: string }> {
  const body = JSON.stringify(order);
  const timestamp = Math.floor(clock.now() / 1000);
  const response = await fetch(`${publicUrl}/v1/sessions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-payrelay-timestamp': String(timestamp),
      'x-payrelay-signature': signShopRequest(secret, timestamp, 'POST', '/v1/sessions', body),
      'idempotency-key': `demo-${String(order.order_id)}-${timestamp}`,
    },
    body,
  });
  const answer = (await response.json()) as { checkout_url?: string; error?: { message: string } };
  return answer.checkout_url ? { checkout_url: answer.checkout_url } : { error: answer.error?.message ?? `relay answered ${response.status}` };
}
