import { err, ok, type Result } from '../../domain/result';
import type { ProviderFailure } from '../../ports/payment-provider';
import { overlaps, sameEvents, type Connected, type RemoteEndpoint, type WebhookRegistrar } from '../../ports/webhook-registrar';
import { isObject, str } from '../json-reader';
import { classifyPaypalError, type PaypalApi } from './paypal-api';
import { PAYPAL_HANDLED_EVENT_TYPES } from './paypal-status-map';

/**
 * PayPal webhooks (https://developer.paypal.com/docs/api/webhooks/v1/). What verifies deliveries is the webhook's
 * id (it is part of the signed message), so the id is what the relay stores; there is no secret to rotate.
 */
export class PaypalWebhookRegistrar implements WebhookRegistrar {
  readonly provider = 'paypal' as const;

  constructor(private readonly api: PaypalApi) {}

  async connect(url: string, options: { rotate: boolean }): Promise<Result<Connected, ProviderFailure>> {
    const events = [...PAYPAL_HANDLED_EVENT_TYPES];
    try {
      const listed = await this.api.request({ method: 'GET', url: '/v1/notifications/webhooks' });
      const all: RemoteEndpoint[] = (isObject(listed) && Array.isArray(listed.webhooks) ? listed.webhooks.filter(isObject) : []).map((w) => ({
        id: str(w, 'id') ?? '',
        url: str(w, 'url') ?? '',
        events: (Array.isArray(w.event_types) ? w.event_types.filter(isObject) : []).map((t) => str(t, 'name') ?? ''),
        enabled: true,
      }));
      const ours = all.find((w) => w.url === url);
      const elsewhere = all.filter((w) => w.url !== url && overlaps(w.events, events));
      const warnings = options.rotate ? ['PayPal webhooks have no secret to rotate (deliveries are signed with PayPal\'s certificate); nothing rotated'] : [];
      const base = { provider: this.provider, url, events, elsewhere, duplicates: [], warnings };
      const eventTypes = events.map((name) => ({ name }));
      if (!ours) {
        const created = await this.api.request({ method: 'POST', url: '/v1/notifications/webhooks', data: { url, event_types: eventTypes }, headers: { 'Content-Type': 'application/json' } });
        const id = isObject(created) ? str(created, 'id') : undefined;
        if (!id) return err({ kind: 'final', code: 'server_error', message: 'PayPal created the webhook without an id' });
        return ok({ report: { ...base, action: 'created', endpointId: id }, secret: id });
      }
      if (sameEvents(ours.events, events)) return ok({ report: { ...base, action: 'unchanged', endpointId: ours.id }, secret: ours.id });
      await this.api.request({
        method: 'PATCH',
        url: `/v1/notifications/webhooks/${encodeURIComponent(ours.id)}`,
        data: [{ op: 'replace', path: '/event_types', value: eventTypes }],
        headers: { 'Content-Type': 'application/json' },
      });
      return ok({ report: { ...base, action: 'updated', endpointId: ours.id }, secret: ours.id });
    } catch (error) {
      return err(classifyPaypalError(error));
    }
  }
}
