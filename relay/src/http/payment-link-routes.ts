import express, { type Request, type Response, type Router } from 'express';
import Joi from 'joi';
import { openPaymentLink, revokePaymentLink, sendPaymentLink, type PaymentLinkDeps } from '../app/payment-links';
import { PAYMENT_METHODS } from '../domain/payment-session';
import { assertNever } from '../domain/payment-status';
import { checkRequestingSite } from '../domain/site-identity';
import { asyncRoute } from './error-handler';
import { ORDER_ID, ORDER_ID_RULE } from './order-id';
import { sendError } from './send-error';
import { requireShopSignature } from './shop-auth';

export interface PaymentLinkRouteDeps extends PaymentLinkDeps {
  shopSecret: string;
  maxBodyBytes: number;
  servedSiteUrl: string | null;
}

const MAX_LIFETIME_DAYS = 90;

const linkBody = Joi.object({
  order_key: Joi.string().trim().min(1).max(128).required(),
  amount: Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER).strict().required(),
  currency: Joi.string().pattern(/^[A-Za-z]{3}$/).uppercase().required(),
  customer: Joi.object({
    email: Joi.string().trim().email({ tlds: { allow: false } }).max(254).required(),
    country: Joi.string().pattern(/^[A-Za-z]{2}$/).uppercase().required(),
  }).required(),
  method: Joi.string().valid(...PAYMENT_METHODS, 'any').default('any'),
  return_url: Joi.string().uri({ scheme: ['http', 'https'] }).max(2048).required(),
  cancel_url: Joi.string().uri({ scheme: ['http', 'https'] }).max(2048).required(),
  lifetime_days: Joi.number().integer().min(1).max(MAX_LIFETIME_DAYS).default(7),
  site_url: Joi.string().max(2048),
}).required();

/**
 * Payment links (issue 11). The shop (signed) creates and revokes them; the customer opens `GET /pay/:token`,
 * which starts or reuses a hosted checkout and redirects there, or answers a short page in words.
 */
export function paymentLinkRoutes(deps: PaymentLinkRouteDeps): Router {
  const router = express.Router();
  const signed = requireShopSignature(deps.shopSecret, deps.session.clock, deps.maxBodyBytes);

  router.post('/v1/orders/:orderId/payment-links', ...signed, (req, res) => {
    if (deps.servedSiteUrl) {
      const site = checkRequestingSite(deps.servedSiteUrl, typeof req.body?.site_url === 'string' ? req.body.site_url : null);
      if (!site.ok) return sendError(res, 403, site.code, site.message);
    }
    const { error: idError } = ORDER_ID.validate(req.params.orderId);
    const { value, error } = linkBody.validate(req.body, { abortEarly: false, convert: true });
    const problems = [...(idError ? [`order id must be ${ORDER_ID_RULE}`] : []), ...(error ? error.details.map((d) => d.message) : [])];
    if (problems.length > 0) return sendError(res, 400, 'invalid_request', `the payment link request has ${problems.length} problem(s)`, problems);
    const sent = sendPaymentLink(deps, {
      orderId: req.params.orderId,
      orderKey: value.order_key,
      amountMinor: value.amount,
      currency: value.currency,
      customer: { email: value.customer.email, country: value.customer.country },
      method: value.method,
      returnUrl: value.return_url,
      cancelUrl: value.cancel_url,
      lifetimeDays: value.lifetime_days,
    });
    res.status(201).json({ link_id: sent.linkId, url: sent.url, expires_at: new Date(sent.expiresAt).toISOString() });
  });

  router.post('/v1/payment-links/:linkId/revoke', ...signed, (req, res) => {
    const link = revokePaymentLink(deps, req.params.linkId);
    if (!link) return sendError(res, 404, 'not_found', `no payment link ${req.params.linkId}`);
    res.json({ link_id: link.id, revoked: true, revoked_at: new Date(link.revokedAt!).toISOString() });
  });

  router.get('/pay/:token', asyncRoute(async (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    const result = await openPaymentLink(deps, req.params.token);
    if (!result.ok) {
      const status = { invalid_link: 404, shop_unreachable: 503, no_checkout: result.error.code === 'no_checkout' && result.error.temporary ? 503 : 422 }[result.error.code];
      return page(res, status, 'Payment link', result.error.message, result.error.code);
    }
    const outcome = result.value;
    switch (outcome.kind) {
      case 'redirect':
        res.redirect(303, outcome.checkoutUrl);
        return;
      case 'refused':
        page(res, outcome.reason === 'already_paid' ? 200 : 410, outcome.reason === 'already_paid' ? 'Already paid' : 'Payment link', outcome.message, outcome.reason);
        return;
      default:
        assertNever(outcome);
    }
  }));

  return router;
}

function page(res: Response, status: number, title: string, message: string, code: string): void {
  res.status(status).type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
<body><h1>${esc(title)}</h1><p data-testid="link-message" data-code="${esc(code)}">${esc(message)}</p></body></html>`);
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
