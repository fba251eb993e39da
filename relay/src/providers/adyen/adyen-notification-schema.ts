import Joi from 'joi';
import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';
import { parseJsonObject } from '../json-reader';

/**
 * One NotificationRequestItem of a standard webhook (Adyen openapi Webhooks-v1, `NotificationRequestItem`).
 * Only what the relay reads is typed; Adyen adds fields freely, so unknown keys are allowed.
 */
export interface AdyenNotificationItem {
  pspReference: string;
  originalReference?: string;
  merchantAccountCode?: string;
  merchantReference?: string;
  amount?: { value?: number | string; currency?: string };
  eventCode: string;
  eventDate?: string;
  success: 'true' | 'false';
  reason?: string;
  paymentMethod?: string;
  additionalData?: Record<string, unknown>;
}

export interface AdyenNotification {
  live: boolean;
  /** Each entry is either a well-formed item or why it is not: one bad item must not sink the batch. */
  items: Array<Result<AdyenNotificationItem, WebhookRejection>>;
}

const itemSchema = Joi.object({
  pspReference: Joi.string().min(1).max(64).required(),
  originalReference: Joi.string().allow('').max(64),
  merchantAccountCode: Joi.string().allow('').max(255),
  merchantReference: Joi.string().allow('').max(255),
  amount: Joi.object({
    // Written as an integer in minor units; some SDK mocks send it as a digit string ("0").
    value: Joi.alternatives().try(Joi.number().integer(), Joi.string().pattern(/^-?\d+$/)),
    currency: Joi.string().pattern(/^[A-Za-z]{3}$/),
  }).unknown(true),
  eventCode: Joi.string().pattern(/^[A-Z0-9_]{1,64}$/).required(),
  eventDate: Joi.string().allow(''),
  success: Joi.string().valid('true', 'false').required(),
  reason: Joi.string().allow('').max(2000),
  paymentMethod: Joi.string().allow(''),
  operations: Joi.array().items(Joi.string()),
  additionalData: Joi.object().unknown(true),
}).unknown(true);

const envelopeSchema = Joi.object({
  live: Joi.alternatives().try(Joi.string().valid('true', 'false'), Joi.boolean()).required(),
  notificationItems: Joi.array().items(Joi.object({ NotificationRequestItem: Joi.any() }).unknown(true)).min(1).max(1000).required(),
}).unknown(true);

/**
 * Parse a standard notification (`{"live":"false","notificationItems":[{"NotificationRequestItem":{…}}]}`).
 * A body that is not this envelope is malformed as a whole; an item that does not fit the item schema is
 * malformed on its own, and its neighbours still count.
 */
export function parseAdyenNotification(raw: Buffer): Result<AdyenNotification, WebhookRejection> {
  const body = parseJsonObject(raw);
  if (!body) return err({ code: 'malformed', message: 'body is not a JSON object' });
  const envelope = envelopeSchema.validate(body);
  if (envelope.error) return err({ code: 'malformed', message: `body is not an Adyen notification: ${envelope.error.details[0]?.message ?? 'invalid'}` });
  const items = (body.notificationItems as Array<{ NotificationRequestItem?: unknown }>).map((entry, index): Result<AdyenNotificationItem, WebhookRejection> => {
    const checked = itemSchema.validate(entry.NotificationRequestItem, { convert: false });
    if (checked.error || checked.value === undefined) {
      return err({ code: 'malformed', message: `item ${index + 1}: ${checked.error?.details[0]?.message ?? 'NotificationRequestItem is missing'}` });
    }
    return ok(checked.value as AdyenNotificationItem);
  });
  return ok({ live: body.live === true || body.live === 'true', items });
}
