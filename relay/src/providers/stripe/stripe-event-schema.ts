import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';
import { bool, int, obj, parseJsonObject, str, type JsonObject } from '../json-reader';

/** The parts of a Stripe `event` the relay reads (https://docs.stripe.com/api/events/object). */
export interface StripeEventEnvelope {
  id: string;
  type: string;
  livemode: boolean;
  /** Unix seconds. */
  created: number;
  object: JsonObject;
}

/** Parse a verified body. A body that is not a Stripe event (no id, type, created or data.object) is malformed. */
export function parseStripeEvent(raw: Buffer): Result<StripeEventEnvelope, WebhookRejection> {
  if (raw.length === 0) return err({ code: 'malformed', message: 'empty body' });
  const event = parseJsonObject(raw);
  if (!event) return err({ code: 'malformed', message: 'body is not a JSON object' });
  const id = str(event, 'id');
  const type = str(event, 'type');
  const created = int(event, 'created');
  const object = obj(obj(event, 'data'), 'object');
  if (str(event, 'object') !== 'event' || !id || !type || created === undefined || !object) {
    return err({ code: 'malformed', message: 'body is not a Stripe event (needs object "event", id, type, created and data.object)' });
  }
  return ok({ id, type, livemode: bool(event, 'livemode') ?? false, created, object });
}
