import express, { type Request, type Response } from 'express';
import { dismissAlert, dismissDeadLetterAlerts } from '../../app/dismiss-alert';
import { dismissDeadLetter, listDeadLetters, retryDeadLetter, type DeadLetterDeps } from '../../app/dead-letters';
import { orderTimeline } from '../../app/order-timeline';
import { HEALTH_WINDOW_MS, providerHealth } from '../../app/provider-health';
import type { BreakerBoard } from '../../domain/circuit-breaker';
import type { ProviderId } from '../../domain/provider-event';
import type { AlertStore } from '../../ports/alert-store';
import type { Clock } from '../../ports/clock';
import type { InboxStore } from '../../ports/inbox-store';
import type { OpsStore } from '../../ports/ops-store';
import type { PaymentLog } from '../../ports/payment-log';
import type { SessionStore } from '../../ports/session-store';
import type { UnitOfWork } from '../../ports/unit-of-work';
import { asyncRoute } from '../error-handler';
import { ORDER_ID } from '../order-id';
import { createAdminAuth, type AdminAuthOptions, type AdminViewer } from './admin-auth';
import { renderAlertsPage, renderDeadLettersPage, renderLoginPage, renderMessagePage, renderProvidersPage, renderRefusedPage, renderSessionsPage, renderTimelinePage } from './admin-pages';

export interface AdminRouteDeps {
  auth: AdminAuthOptions;
  mode: 'test' | 'live';
  clock: Clock;
  ops: OpsStore;
  stores: { sessions: Pick<SessionStore, 'listByOrder' | 'get'>; log: PaymentLog; alerts: AlertStore; inbox: Pick<InboxStore, 'lastReceivedAt'> };
  unitOfWork: UnitOfWork;
  breakers: BreakerBoard;
  providers: () => Iterable<ProviderId>;
  publicUrl: () => string;
  demoShopUrl: string | null;
  /** A retried dead letter is due now: wake the worker instead of waiting for its poll. */
  pokeWorker: () => void;
  /** Where browsers see this dashboard, when not /admin (a registered shop's: /shops/<id>/admin). */
  root?: string;
  /** The registered shop it shows, for the header. */
  shop?: string | null;
  /** The other dashboards on this relay (read per page: shops come and go). */
  dashboards?: () => ReadonlyArray<{ label: string; href: string }>;
}

export const ADMIN_PATH = '/admin';

/** What a button did, shown once on the page it leads back to (a closed set: nothing from the URL is echoed). */
const FLASHES: Record<string, { text: (id: string) => string; bad?: boolean }> = {
  'alert-dismissed': { text: (id) => `Alert ${id} dismissed.` },
  'alert-gone': { text: (id) => `Alert ${id} is not open any more.`, bad: true },
  'dead-letter-retried': { text: (id) => `Dead letter ${id} is queued again; the outbox runs it now.` },
  'dead-letter-dismissed': { text: (id) => `Dead letter ${id} dismissed.` },
  'dead-letter-gone': { text: (id) => `Dead letter ${id} is not dead any more (already retried or dismissed).`, bad: true },
  'dead-letter-busy': {
    text: (id) => `Dead letter ${id} was not retried: another command of its order is being written right now, and the two must not write the order at once. Retry it in a moment.`,
    bad: true,
  },
};

/**
 * The relay dashboard: server-rendered pages under /admin (sessions, one order's timeline, alerts, dead letters,
 * providers), every value escaped (html.ts), every button a POST with the session's CSRF token.
 */
export function adminRoutes(deps: AdminRouteDeps): express.Router {
  const router = express.Router();
  const root = deps.root ?? ADMIN_PATH;
  const auth = createAdminAuth({ ...deps.auth, cookiePath: root });
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  router.use(ADMIN_PATH, (_req, res, next) => {
    // Pages with buttons and order data: never cached, never framed, nothing but our own inline CSS.
    res.set({
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    });
    next();
  });

  const send = (res: Response, status: number, page: string) => res.status(status).type('html').send(page);
  const base = { mode: deps.mode, root, shop: deps.shop ?? null };

  router.get(`${ADMIN_PATH}/login`, (req, res) => {
    if (!auth.hasLogin || auth.check(req).ok) return res.redirect(303, `${root}/`);
    send(res, 200, renderLoginPage(base));
  });

  router.post(`${ADMIN_PATH}/login`, form, (req, res) => {
    if (!auth.hasLogin) return res.redirect(303, `${root}/`);
    const result = auth.login(req, res, req.body?.token);
    if (result.ok) return res.redirect(303, `${root}/`);
    if (result.retryAfterSeconds) res.set('Retry-After', String(result.retryAfterSeconds));
    send(res, result.status, renderLoginPage({ ...base, error: result.message }));
  });

  /** The viewer, or null after answering (login form, refusal, or a POST without its CSRF token). */
  const admit = (req: Request, res: Response): AdminViewer | null => {
    const verdict = auth.check(req);
    if (verdict.ok) {
      if (req.method === 'POST' && !auth.csrfMatches(verdict.viewer, req.body?.csrf)) {
        send(res, 403, renderMessagePage({ ...base, csrf: verdict.viewer.csrf, localOnly: verdict.viewer.localOnly, title: 'Refused', message: 'This form is missing its security token (or it is from another page). Reload the page and try again.' }));
        return null;
      }
      return verdict.viewer;
    }
    if (verdict.kind === 'refused') {
      send(res, 403, renderRefusedPage({ ...base, reason: verdict.reason }));
    } else if (req.method === 'GET') {
      res.redirect(303, `${root}/login`);
    } else {
      send(res, 401, renderLoginPage({ ...base, error: 'Your login has expired; log in again.' }));
    }
    return null;
  };

  const page = (viewer: AdminViewer, req: Request) => {
    const done = typeof req.query.done === 'string' ? FLASHES[req.query.done] : undefined;
    const id = typeof req.query.id === 'string' && /^\d{1,15}$/.test(req.query.id) ? req.query.id : '';
    return { ...base, dashboards: deps.dashboards?.() ?? [], csrf: viewer.csrf, localOnly: viewer.localOnly, flash: done ? { text: done.text(id), bad: done.bad } : null };
  };

  // Express routing is not strict: /admin reaches this too.
  router.get(`${ADMIN_PATH}/`, (req, res) => {
    const viewer = admit(req, res);
    if (!viewer) return;
    send(res, 200, renderSessionsPage({ ...page(viewer, req), sessions: deps.ops.recentSessions(100), byStatus: deps.ops.sessionsByStatus(), demoShopUrl: deps.demoShopUrl, now: deps.clock.now() }));
  });

  router.get(`${ADMIN_PATH}/orders/:orderId`, (req, res) => {
    const viewer = admit(req, res);
    if (!viewer) return;
    const { error, value } = ORDER_ID.validate(req.params.orderId);
    const timeline = error ? null : orderTimeline(deps.stores, value);
    if (!timeline) return send(res, 404, renderMessagePage({ ...page(viewer, req), title: 'Order not found', message: `The relay has no sessions or log entries for order ${req.params.orderId}.` }));
    send(res, 200, renderTimelinePage({ ...page(viewer, req), timeline }));
  });

  router.get(`${ADMIN_PATH}/alerts`, (req, res) => {
    const viewer = admit(req, res);
    if (!viewer) return;
    send(res, 200, renderAlertsPage({ ...page(viewer, req), csrf: viewer.csrf, alerts: deps.stores.alerts.listOpen(200) }));
  });

  router.post(`${ADMIN_PATH}/alerts/:id/dismiss`, form, (req, res) => {
    if (!admit(req, res)) return;
    const id = positiveId(req.params.id);
    const dismissed = id !== null && dismissAlert(deps, id, 'the relay dashboard') !== null;
    res.redirect(303, `${root}/alerts?done=${dismissed ? 'alert-dismissed' : 'alert-gone'}&id=${id ?? ''}`);
  });

  const deadLetterDeps: DeadLetterDeps = { ops: deps.ops, log: deps.stores.log, sessions: deps.stores.sessions, unitOfWork: deps.unitOfWork, clock: deps.clock };

  router.get(`${ADMIN_PATH}/dead-letters`, (req, res) => {
    const viewer = admit(req, res);
    if (!viewer) return;
    send(res, 200, renderDeadLettersPage({ ...page(viewer, req), csrf: viewer.csrf, ...listDeadLetters(deadLetterDeps, 200) }));
  });

  for (const action of ['retry', 'dismiss'] as const) {
    router.post(`${ADMIN_PATH}/dead-letters/:id/${action}`, form, asyncRoute(async (req, res) => {
      if (!admit(req, res)) return;
      const id = positiveId(req.params.id);
      const result = id === null ? null : await (action === 'retry' ? retryDeadLetter : dismissDeadLetter)(deadLetterDeps, id, 'dashboard');
      if (result?.ok) {
        if (result.value.merchantOrderId) dismissDeadLetterAlerts(deps, result.value.merchantOrderId, `the relay dashboard (its dead letter ${result.value.id} was ${action === 'retry' ? 'retried' : 'dismissed'})`);
        if (action === 'retry') deps.pokeWorker();
      }
      const done = result?.ok ? (action === 'retry' ? 'dead-letter-retried' : 'dead-letter-dismissed') : result?.error.code === 'order_busy' ? 'dead-letter-busy' : 'dead-letter-gone';
      res.redirect(303, `${root}/dead-letters?done=${done}&id=${id ?? ''}`);
    }));
  }

  router.get(`${ADMIN_PATH}/providers`, (req, res) => {
    const viewer = admit(req, res);
    if (!viewer) return;
    const health = providerHealth({ providers: deps.providers(), breakers: deps.breakers, ops: deps.ops, inbox: deps.stores.inbox, clock: deps.clock, publicUrl: deps.publicUrl() });
    send(res, 200, renderProvidersPage({ ...page(viewer, req), health, windowHours: HEALTH_WINDOW_MS / 3_600_000 }));
  });

  router.post(`${ADMIN_PATH}/logout`, form, (req, res) => {
    if (!admit(req, res)) return;
    auth.logout(res);
    res.redirect(303, `${root}/login`);
  });

  return router;
}

function positiveId(raw: string): number | null {
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
