import type { ParkedSummary } from '../ports/parked-event-store';
import express, { type Router } from 'express';
import Joi from 'joi';
import { checkOrder } from '../app/check-order';
import { dismissAlert } from '../app/dismiss-alert';
import type { RefreshDeps } from '../app/refresh-from-provider';
import { runTestEvent } from '../app/run-test-event';
import type { OrderGateway } from '../ports/order-gateway';
import { requireShopSignature } from './shop-auth';
import { asyncRoute } from './error-handler';
import { ORDER_ID, ORDER_ID_RULE } from './order-id';
import { sendError } from './send-error';

export interface OpsRouteDeps extends RefreshDeps {
  gateway: OrderGateway;
  shopSecret: string;
  maxBodyBytes: number;
  mode: 'test' | 'live';
  version: string;
  pokeWorker: () => void;
}

const iso = (ms: number | null | undefined): string | null => (ms ? new Date(ms).toISOString() : null);

/** The endpoints the plugin's admin screens use: health, diagnostics, on-demand checks. All signed by the shop. */
export function opsRoutes(deps: OpsRouteDeps): Router {
  const router = express.Router();
  const signed = requireShopSignature(deps.shopSecret, deps.clock, deps.maxBodyBytes);

  router.post('/v1/ping', ...signed, (_req, res) => {
    res.json({ ok: true, version: deps.version, mode: deps.mode, time: new Date(deps.clock.now()).toISOString() });
  });

  router.post('/v1/diagnostics/shop-check', ...signed, asyncRoute(async (_req, res) => {
    const ping = await deps.gateway.ping();
    res.json(ping.ok ? { ok: true, latency_ms: ping.value.latencyMs } : { ok: false, error: { code: ping.error.code, message: ping.error.message } });
  }));

  router.get('/v1/diagnostics', ...signed, (_req, res) => {
    const last = deps.stores.inbox.lastReceivedAt();
    const counts = deps.stores.outbox.counts();
    res.json({
      last_webhook_at: Object.fromEntries([...deps.providers.keys()].map((id) => [id, iso(last[id])])),
      outbox: { pending: counts.pending, dead: counts.dead },
      // Events for sessions the relay does not know (yet): waiting a few minutes for their session, or given up on.
      parked_events: parkedView(deps.stores.parked.summary(20)),
      alerts: deps.stores.alerts.listOpen(50).map((a) => ({ id: a.id, at: iso(a.at), order_id: a.merchantOrderId, code: a.code, message: a.message })),
    });
  });

  router.get('/v1/alerts', ...signed, (_req, res) => {
    res.json({ alerts: deps.stores.alerts.listOpen(100).map((a) => ({ id: a.id, at: iso(a.at), order_id: a.merchantOrderId, session_id: a.sessionId, code: a.code, message: a.message })) });
  });

  // A person dismissed it in the plugin (app/dismiss-alert.ts: the row stays, the payment log says so).
  router.post('/v1/alerts/:id/resolve', ...signed, (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1) return sendError(res, 400, 'bad_request', 'the alert id must be a positive integer');
    const resolved = dismissAlert(deps, id, "the plugin's diagnostics");
    if (!resolved) return sendError(res, 404, 'not_found', `no open alert ${id}`);
    res.json({ resolved: true, id });
  });

  router.post('/v1/diagnostics/test-event', ...signed, asyncRoute(async (req, res) => {
    const { value, error } = Joi.object({ order_id: ORDER_ID.required() }).validate(req.body ?? {}, { abortEarly: false });
    if (error) return sendError(res, 400, 'invalid_request', 'order_id is required', error.details.map((d) => d.message));
    const result = await runTestEvent(
      { outbox: deps.stores.outbox, unitOfWork: deps.unitOfWork, gateway: deps.gateway, clock: deps.clock, poke: deps.pokeWorker, wait: (ms) => new Promise((r) => setTimeout(r, ms)) },
      String(value.order_id),
    );
    res.json(result);
  }));

  router.post('/v1/orders/:orderId/check', ...signed, asyncRoute(async (req, res) => {
    const { error } = ORDER_ID.validate(req.params.orderId);
    if (error) return sendError(res, 400, 'invalid_request', `order id must be ${ORDER_ID_RULE}`);
    res.json(await checkOrder(deps, req.params.orderId));
  }));

  return router;
}

function parkedView(summary: ParkedSummary) {
  return {
    waiting: summary.parked,
    expired: summary.expired,
    recent: summary.recent.map((p) => ({ provider: p.provider, event: p.eventKey, kind: p.kind, state: p.state, parked_at: iso(p.parkedAt), seen: p.seen })),
  };
}
