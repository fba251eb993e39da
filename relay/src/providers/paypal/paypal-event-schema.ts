import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';
import { isObject, obj, parseJsonObject, str } from '../json-reader';
import type { PaypalEventEnvelope } from './paypal-status-map';

/** Parse a verified body. Not a PayPal event (no id, event_type or resource object) is malformed. */
export function parsePaypalEvent(raw: Buffer): Result<PaypalEventEnvelope, WebhookRejection> {
  if (raw.length === 0) return err({ code: 'malformed', message: 'empty body' });
  const event = parseJsonObject(raw);
  if (!event) return err({ code: 'malformed', message: 'body is not a JSON object' });
  const id = str(event, 'id');
  const eventType = str(event, 'event_type');
  const resource = obj(event, 'resource');
  if (!id || !eventType || !resource) return err({ code: 'malformed', message: 'body is not a PayPal webhook event (needs id, event_type and resource)' });
  return ok({ id, eventType, createTime: str(event, 'create_time'), resource, livemode: livemodeFromLinks(event.links) });
}

/** PayPal events do not carry a mode flag; their own links name the API they came from. */
function livemodeFromLinks(links: unknown): boolean | undefined {
  if (!Array.isArray(links)) return undefined;
  for (const link of links.filter(isObject)) {
    const href = str(link, 'href');
    if (!href) continue;
    try {
      const host = new URL(href).hostname.toLowerCase();
      if (host.endsWith('.paypal.com')) return !host.includes('sandbox');
    } catch {
      // not a URL: look at the next link
    }
  }
  return undefined;
}
