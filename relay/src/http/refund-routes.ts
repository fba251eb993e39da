import express, { type Router } from 'express';
import Joi from 'joi';
import { refundOrder, type RefundDeps } from '../app/refund-order';
import { minorToDecimal } from '../domain/money';
import { asyncRoute } from './error-handler';
import { ORDER_ID, ORDER_ID_RULE } from './order-id';
import { sendError } from './send-error';
import { requireShopSignature } from './shop-auth';

export interface RefundRouteDeps extends RefundDeps {
  shopSecret: string;
  maxBodyBytes: number;
}

const body = Joi.object({
  refund_id: Joi.alternatives(Joi.string().trim().pattern(/^[A-Za-z0-9._-]{1,64}$/), Joi.number().integer().min(1)).required(),
  amount: Joi.alternatives(Joi.string().trim().max(20), Joi.number()).required(),
  currency: Joi.string().trim().length(3).required(),
  reason: Joi.string().allow('').max(500),
}).unknown(false);

/**
 * POST /v1/orders/:orderId/refunds: the plugin's process_refund. The WooCommerce refund id is the idempotency key,
 * so WooCommerce (or a person) repeating the request refunds once. Every refusal carries a message meant for the
 * merchant, which the plugin shows in the order screen.
 */
export function refundRoutes(deps: RefundRouteDeps): Router {
  const router = express.Router();
  const signed = requireShopSignature(deps.shopSecret, deps.clock, deps.maxBodyBytes);
  router.post('/v1/orders/:orderId/refunds', ...signed, asyncRoute(async (req, res) => {
    if (ORDER_ID.validate(req.params.orderId).error) return sendError(res, 400, 'invalid_request', `order id must be ${ORDER_ID_RULE}`);
    const { value, error } = body.validate(req.body ?? {}, { abortEarly: false });
    if (error) return sendError(res, 400, 'invalid_request', 'refund_id, amount and currency are required', error.details.map((d) => d.message));
    const answer = await refundOrder(deps, {
      merchantOrderId: req.params.orderId,
      shopRefundId: String(value.refund_id),
      amount: String(value.amount),
      currency: String(value.currency).toUpperCase(),
      reason: value.reason ? String(value.reason) : null,
    });
    if (!answer.ok) {
      if (answer.error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(answer.error.retryAfterSeconds));
      return sendError(res, answer.error.status, answer.error.code, answer.error.message);
    }
    const r = answer.refund;
    res.status(answer.replayed ? 200 : 201).json({
      refund_id: r.shopRefundId,
      order_id: r.merchantOrderId,
      provider: r.provider,
      provider_refund_id: r.providerRefundId,
      status: r.state,
      amount: minorToDecimal(r.amountMinor, r.currency),
      currency: r.currency,
      ...(answer.message ? { message: answer.message } : {}),
    });
  }));
  return router;
}
