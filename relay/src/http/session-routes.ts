import { sameSecret } from '../domain/same-secret';
import express, { type Request, type Response } from 'express';
import Joi from 'joi';
import contract from '../../../shared/contract.json';
import { orderTimeline } from '../app/order-timeline';
import { createSession, type CreateSessionDeps, type CreateSessionError } from '../app/create-session';
import { isIsoCurrency } from '../domain/money';
import { PAYMENT_METHODS } from '../domain/payment-session';
import { assertNever, type PaymentStatus } from '../domain/payment-status';
import type { ProviderId } from '../domain/provider-event';
import { routableMethods } from '../domain/routable-methods';
import { describeSkip } from '../domain/routing';
import { checkRequestingSite } from '../domain/site-identity';
import type { ProviderCapabilities } from '../ports/payment-provider';
import type { SessionRequest, SessionView } from '../domain/session-request';
import { ORDER_ID, ORDER_ID_RULE } from './order-id';
import { sendError } from './send-error';
import { requireShopSignature } from './shop-auth';

/** Everything the create-session use case needs (its stores, log and clock serve the read endpoints too), plus auth. */
export interface SessionRoutesDeps extends CreateSessionDeps {
  /** PAYRELAY_SHOP_SECRET. Signed endpoints refuse everything when the relay has none (fail closed). */
  shopSecret: string | null;
  maxBodyBytes: number;
  /**
   * The shop this relay writes to (WC_URL, or the demo shop). When set, a session request must name the same site
   * in its signed body (`site_url`): a staging copy holding the live secret is refused before any provider is called.
   */
  servedSiteUrl?: string | null;
}

const orderId = Joi.alternatives()
  .try(ORDER_ID, Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER))
  .messages({ 'alternatives.match': `{{#label}} must be a WooCommerce order id (${ORDER_ID_RULE})` });

/** The body of POST /v1/sessions, snake_case as on the wire. Every problem is reported, not only the first. */
export const sessionBodySchema = Joi.object({
  order_id: orderId.required(),
  order_key: Joi.string().trim().min(1).max(128).required(),
  amount: Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER).strict().required()
    .messages({ 'number.base': '{{#label}} must be an integer number of minor units (cents), e.g. 1250 for 12.50' }),
  // Only codes in shared/currencies.json: an unknown code has no known exponent, so its amount could mean anything.
  currency: Joi.string().pattern(/^[A-Za-z]{3}$/).uppercase().required()
    .custom((code: string, helpers) => (isIsoCurrency(code) ? code : helpers.error('currency.unknown', { code })))
    .messages({
      'string.pattern.base': '{{#label}} must be a 3-letter ISO 4217 code, e.g. EUR',
      'currency.unknown': '{{#label}} {{#code}} is not an ISO 4217 currency code; use the code of the currency the order is priced in, e.g. EUR',
    }),
  customer: Joi.object({
    email: Joi.string().trim().email({ tlds: { allow: false } }).max(254).required(),
    country: Joi.string().pattern(/^[A-Za-z]{2}$/).uppercase().required()
      .messages({ 'string.pattern.base': '{{#label}} must be a 2-letter ISO 3166-1 code, e.g. NL' }),
  }).required(),
  method: Joi.string().valid(...PAYMENT_METHODS, 'any').required(),
  return_url: Joi.string().uri({ scheme: ['http', 'https'] }).max(2048).required(),
  cancel_url: Joi.string().uri({ scheme: ['http', 'https'] }).max(2048).required(),
  locale: Joi.string().pattern(/^[a-zA-Z]{2}([-_][a-zA-Z]{2})?$/).allow(null)
    .messages({ 'string.pattern.base': '{{#label}} must look like "nl" or "nl_NL"' }),
  // The requesting WordPress site's home URL; compared with WC_URL before anything else (domain/site-identity.ts).
  site_url: Joi.string().max(2048),
}).required();

/** GET /v1/methods?currency=&country=&amount= (shared/openapi.yaml, listRoutableMethods). */
const methodsQuerySchema = Joi.object({
  currency: Joi.string().pattern(/^[A-Za-z]{3}$/).uppercase().required()
    .messages({ 'string.pattern.base': '{{#label}} must be a 3-letter ISO 4217 code, e.g. EUR' }),
  country: Joi.string().pattern(/^[A-Za-z]{2}$/).uppercase()
    .messages({ 'string.pattern.base': '{{#label}} must be a 2-letter ISO 3166-1 code, e.g. NL' }),
  amount: Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER)
    .messages({ 'number.base': '{{#label}} must be an integer number of minor units (cents)' }),
});

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Shopper texts per status (shared/contract.json is the project's own contract with the plugin). */
const STATUS_TEXTS: Record<PaymentStatus, { final: boolean; shopper_message: string }> = contract.statuses;

/**
 * The shop-facing session API: POST /v1/sessions and GET /v1/orders/:order_id/timeline (both signed with
 * the shop secret), and GET /v1/sessions/:id/status?token=… (the status token is the credential, so the
 * thank-you page can poll it; the answer carries no personal data).
 */
export function sessionRoutes(deps: SessionRoutesDeps): express.Router {
  const router = express.Router();
  const useCase: CreateSessionDeps = deps;
  const signed = deps.shopSecret
    ? requireShopSignature(deps.shopSecret, useCase.clock, deps.maxBodyBytes)
    : [(_req: Request, res: Response) => sendError(res, 401, 'shop_secret_not_configured', 'this relay has no PAYRELAY_SHOP_SECRET, so it accepts no signed shop requests')];

  router.post('/v1/sessions', ...signed, async (req, res) => {
    if (deps.servedSiteUrl) {
      const given = req.body && typeof req.body === 'object' && typeof req.body.site_url === 'string' ? req.body.site_url : null;
      const site = checkRequestingSite(deps.servedSiteUrl, given);
      if (!site.ok) {
        // Refused before validation and routing: nothing is created at any provider and no session row exists,
        // so no webhook can ever write a copy's payment to the live shop's order with the same number.
        deps.logger?.warn('session request from another site refused', { code: site.code, orderId: String(req.body?.order_id ?? '') });
        sendError(res, 403, site.code, site.message);
        return;
      }
    }
    const key = req.header('idempotency-key');
    const problems: string[] = [];
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) problems.push('"Idempotency-Key" header must be 1 to 255 visible ASCII characters');
    const { value, error } = sessionBodySchema.validate(req.body, { abortEarly: false, convert: true });
    if (error) problems.push(...error.details.map((detail) => detail.message));
    if (problems.length > 0) {
      sendError(res, 400, 'invalid_request', `the session request has ${problems.length} problem(s)`, problems);
      return;
    }
    try {
      const result = await createSession(useCase, toSessionRequest(value), key ?? null);
      if (result.ok) {
        res.status(201).json(sessionJson(result.value));
        return;
      }
      sendCreateError(res, result.error);
    } catch (caught) {
      deps.logger?.error('session creation crashed', { orderId: value.order_id, error: (caught as Error).message });
      sendError(res, 500, 'internal_error', 'the relay could not create the session; try again');
    }
  });

  router.get('/v1/methods', ...signed, (req, res) => {
    res.set('Cache-Control', 'no-store');
    const { value, error } = methodsQuerySchema.validate(req.query, { abortEarly: false, convert: true });
    if (error) {
      sendError(res, 400, 'invalid_request', `the methods query has ${error.details.length} problem(s)`, error.details.map((detail) => detail.message));
      return;
    }
    const cart = { currency: value.currency as string, country: (value.country as string | undefined) ?? null, amountMinor: (value.amount as number | undefined) ?? null };
    const capabilities: Partial<Record<ProviderId, ProviderCapabilities>> = {};
    for (const [id, provider] of useCase.providers) capabilities[id] = provider.capabilities;
    const methods = routableMethods(cart, useCase.rules, capabilities, useCase.breakers.views(useCase.providers.keys(), useCase.clock.now()));
    res.json({ currency: cart.currency, country: cart.country, amount: cart.amountMinor, methods });
  });

  router.get('/v1/sessions/:sessionId/status', (req, res) => {
    res.set('Cache-Control', 'no-store');
    const token = req.query.token;
    if (typeof token !== 'string' || token === '') {
      sendError(res, 400, 'invalid_request', 'the "token" query parameter is required (the status_token given when the session was created)');
      return;
    }
    const session = useCase.sessions.get(req.params.sessionId);
    // Unknown session and wrong token answer alike, so the endpoint cannot be used to find session ids.
    if (!session || !sameSecret(token, session.statusToken)) {
      sendError(res, 404, 'session_not_found', 'no session with this id and token');
      return;
    }
    const text = STATUS_TEXTS[session.status];
    res.json({
      session_id: session.id,
      status: session.status,
      final: text.final,
      message: text.shopper_message,
      expires_at: new Date(session.expiresAt).toISOString(),
    });
  });

  router.get('/v1/orders/:orderId/timeline', ...signed, (req, res) => {
    const timeline = orderTimeline(useCase, req.params.orderId);
    if (!timeline) {
      sendError(res, 404, 'order_not_found', `the relay has no sessions or log entries for order ${req.params.orderId}`);
      return;
    }
    res.json({
      order_id: timeline.orderId,
      sessions: timeline.sessions.map((s) => ({
        session_id: s.id,
        provider: s.provider,
        status: s.status,
        amount: s.amountMinor,
        currency: s.currency,
        created_at: new Date(s.createdAt).toISOString(),
        expires_at: new Date(s.expiresAt).toISOString(),
      })),
      entries: timeline.entries.map((entry) => ({
        at: new Date(entry.at).toISOString(),
        kind: entry.kind,
        message: entry.message,
        session_id: entry.sessionId,
        provider: entry.provider,
      })),
    });
  });

  return router;
}

function toSessionRequest(body: Record<string, any>): SessionRequest {
  return {
    orderId: String(body.order_id),
    orderKey: body.order_key,
    amountMinor: body.amount,
    currency: body.currency,
    customer: { email: body.customer.email, country: body.customer.country },
    method: body.method,
    returnUrl: body.return_url,
    cancelUrl: body.cancel_url,
    locale: body.locale ?? null,
  };
}

function sessionJson(view: SessionView) {
  return {
    session_id: view.sessionId,
    provider: view.provider,
    checkout_url: view.checkoutUrl,
    expires_at: new Date(view.expiresAt).toISOString(),
    status: view.status,
    status_token: view.statusToken,
  };
}

function sendCreateError(res: Response, error: CreateSessionError): void {
  switch (error.code) {
    case 'idempotency_conflict':
      sendError(res, 409, error.code, error.message);
      return;
    case 'no_provider_available':
      sendError(res, 422, error.code, error.message, error.reasons.map(describeSkip));
      return;
    case 'providers_unavailable':
      // The breaker cool-down is the soonest anything changes; a shorter hint would only meet the same answer.
      res.set('Retry-After', '30');
      sendError(res, 503, error.code, error.message, error.reasons.map(describeSkip));
      return;
    case 'provider_refused':
      sendError(res, 502, error.code, error.message, error.reasons.map(describeSkip));
      return;
    case 'earlier_request_in_flight':
      res.set('Retry-After', String(error.retryAfterSeconds));
      sendError(res, 409, error.code, error.message);
      return;
    default:
      assertNever(error);
  }
}
