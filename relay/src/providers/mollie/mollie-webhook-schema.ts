import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';
import { obj, parseJsonObject, str } from '../json-reader';

/** Mollie payment ids: `tr_` and a short base62 token (https://docs.mollie.com/reference/get-payment). */
export const MOLLIE_PAYMENT_ID = /^tr_[A-Za-z0-9]{4,64}$/;

/** Classic webhook: form-encoded `id=tr_…` and nothing else. Anything more or less is not Mollie's. */
export function parseClassicWebhook(raw: Buffer): Result<string, WebhookRejection> {
  const text = raw.toString('utf8').trim();
  const form = new URLSearchParams(text);
  const keys = [...form.keys()];
  const id = form.get('id');
  if (keys.length !== 1 || keys[0] !== 'id' || !id || !MOLLIE_PAYMENT_ID.test(id)) {
    return err({ code: 'malformed', message: 'a Mollie webhook body must be the form field id=tr_…' });
  }
  return ok(id);
}

export interface MollieNextGenEvent {
  id: string;
  type: string;
  entityId: string | undefined;
  mode: string | undefined;
  createdAt: string | undefined;
}

/** Next-gen event envelope (`{"resource":"event","id":"whe_…","type":…,"entityId":…}`). */
export function parseNextGenEvent(raw: Buffer): Result<MollieNextGenEvent, WebhookRejection> {
  const body = parseJsonObject(raw);
  const id = str(body ?? undefined, 'id');
  const type = str(body ?? undefined, 'type');
  if (!body || str(body, 'resource') !== 'event' || !id || !type) {
    return err({ code: 'malformed', message: 'a signed Mollie webhook must be a JSON event (resource "event", id, type)' });
  }
  const entity = obj(obj(body, '_embedded'), 'entity');
  return ok({ id, type, entityId: str(body, 'entityId'), mode: str(entity, 'mode'), createdAt: str(body, 'createdAt') });
}
