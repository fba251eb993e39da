import Joi from 'joi';
import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';
import { parseJsonObject } from '../json-reader';

/** Money as Coinbase Commerce writes it: a decimal string and a currency (fiat or crypto). */
export interface CoinbaseMoney {
  amount: string;
  currency: string;
}

/** The parts of a charge (API version 2018-03-22) the relay reads. */
export interface CoinbaseCharge {
  id?: string;
  code: string;
  hosted_url?: string;
  expires_at?: string;
  timeline: Array<{ time?: string; status: string; context?: string }>;
  metadata?: Record<string, unknown>;
  pricing?: { local?: CoinbaseMoney; [currency: string]: CoinbaseMoney | undefined };
  payments: Array<{ network?: string; transaction_id?: string; status?: string; value?: { local?: CoinbaseMoney; crypto?: CoinbaseMoney } }>;
}

export interface CoinbaseEvent {
  id: string;
  type: string;
  created_at?: string;
  data: CoinbaseCharge;
}

const money = Joi.object({ amount: Joi.string().pattern(/^-?\d+(\.\d+)?$/).required(), currency: Joi.string().min(2).max(10).required() }).unknown(true);

export const chargeSchema = Joi.object({
  id: Joi.string(),
  code: Joi.string().pattern(/^[A-Z0-9]{4,16}$/).required(),
  hosted_url: Joi.string().uri(),
  expires_at: Joi.string(),
  timeline: Joi.array().items(Joi.object({ time: Joi.string(), status: Joi.string().required(), context: Joi.string() }).unknown(true)).default([]),
  metadata: Joi.object().unknown(true),
  pricing: Joi.object().pattern(Joi.string(), money),
  payments: Joi.array().items(Joi.object({
    network: Joi.string(),
    transaction_id: Joi.string(),
    status: Joi.string(),
    value: Joi.object({ local: money, crypto: money }).unknown(true),
  }).unknown(true)).default([]),
}).unknown(true);

const envelopeSchema = Joi.object({
  id: Joi.alternatives().try(Joi.string(), Joi.number()),
  event: Joi.object({
    id: Joi.string().min(1).max(100).required(),
    type: Joi.string().pattern(/^[a-z_]+:[a-z_]+$/).required(),
    created_at: Joi.string(),
    data: Joi.object().unknown(true).required(),
  }).unknown(true).required(),
}).unknown(true);

/**
 * A verified webhook body: `{"id","scheduled_for","attempt_number","event":{"id","type","created_at","data":{charge}}}`.
 * Only `charge:*` events carry a charge; other resources are returned with `data` unchecked (they map to unsupported).
 */
export function parseCoinbaseWebhook(raw: Buffer): Result<CoinbaseEvent, WebhookRejection> {
  const body = parseJsonObject(raw);
  if (!body) return err({ code: 'malformed', message: 'body is not a JSON object' });
  const envelope = envelopeSchema.validate(body);
  if (envelope.error) return err({ code: 'malformed', message: `body is not a Coinbase Commerce webhook: ${envelope.error.details[0]?.message ?? 'invalid'}` });
  const event = envelope.value.event as { id: string; type: string; created_at?: string; data: unknown };
  if (!event.type.startsWith('charge:')) return ok({ id: event.id, type: event.type, created_at: event.created_at, data: { code: '', timeline: [], payments: [] } });
  const charge = parseCharge(event.data);
  return charge.ok ? ok({ id: event.id, type: event.type, created_at: event.created_at, data: charge.value }) : charge;
}

export function parseCharge(data: unknown): Result<CoinbaseCharge, WebhookRejection> {
  const checked = chargeSchema.validate(data);
  if (checked.error) return err({ code: 'malformed', message: `not a Coinbase Commerce charge: ${checked.error.details[0]?.message ?? 'invalid'}` });
  return ok(checked.value as CoinbaseCharge);
}
