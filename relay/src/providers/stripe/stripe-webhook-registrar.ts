import type Stripe from 'stripe';
import { err, ok, type Result } from '../../domain/result';
import type { ProviderFailure } from '../../ports/payment-provider';
import { overlaps, sameEvents, type Connected, type RemoteEndpoint, type WebhookRegistrar } from '../../ports/webhook-registrar';
import { classifyStripeError } from './stripe-errors';
import { STRIPE_HANDLED_EVENT_TYPES } from './stripe-status-map';

/** Stripe webhook endpoints (https://docs.stripe.com/api/webhook_endpoints). The secret is shown only on creation. */
export class StripeWebhookRegistrar implements WebhookRegistrar {
  readonly provider = 'stripe' as const;

  constructor(private readonly client: Stripe) {}

  async connect(url: string, options: { rotate: boolean; knownEndpointId: string | null; envSecretKnown: boolean }): Promise<Result<Connected, ProviderFailure>> {
    const events = [...STRIPE_HANDLED_EVENT_TYPES];
    try {
      const listed = await this.client.webhookEndpoints.list({ limit: 100 });
      const all: RemoteEndpoint[] = listed.data.map((e) => ({ id: e.id, url: e.url, events: e.enabled_events, enabled: e.status === 'enabled' }));
      const ours = all.filter((e) => e.url === url);
      const elsewhere = all.filter((e) => e.url !== url && overlaps(e.events, events));
      const warnings: string[] = [];
      const base = { provider: this.provider, url, events, elsewhere };

      const first = ours.find((e) => e.id === options.knownEndpointId) ?? ours[0];
      if (!first || options.rotate) {
        const created = await this.client.webhookEndpoints.create({ url, enabled_events: events as Stripe.WebhookEndpointCreateParams.EnabledEvent[], description: 'Payrelay relay' });
        // Rotation: the old endpoints go; their secret stays valid for the grace period, for deliveries in flight.
        // One that cannot be deleted is reported, not a failure: the new endpoint delivers already, signed with a
        // secret Stripe shows only now, so the relay must keep it.
        const left: RemoteEndpoint[] = [];
        for (const old of ours) {
          try {
            await this.client.webhookEndpoints.del(old.id);
          } catch (error) {
            left.push(old);
            warnings.push(`endpoint ${old.id} could not be deleted (${classifyStripeError(error).message}): it still gets every event, signed with its old secret, which stops verifying after the grace period; delete it in the Stripe dashboard`);
          }
        }
        return ok({ report: { ...base, action: first ? 'rotated' : 'created', endpointId: created.id, duplicates: left, warnings }, secret: created.secret ?? null });
      }
      let action: 'updated' | 'unchanged' = 'unchanged';
      if (!sameEvents(first.events, events) || !first.enabled) {
        await this.client.webhookEndpoints.update(first.id, { enabled_events: events as Stripe.WebhookEndpointUpdateParams.EnabledEvent[], disabled: false });
        action = 'updated';
      }
      if (first.id !== options.knownEndpointId && !options.envSecretKnown) {
        warnings.push(`endpoint ${first.id} exists but its signing secret is not known to this relay (Stripe shows it only when an endpoint is created): set STRIPE_WEBHOOK_SECRET, or run again with --rotate to make a new endpoint whose secret the relay keeps`);
      }
      return ok({ report: { ...base, action, endpointId: first.id, duplicates: ours.filter((e) => e !== first), warnings }, secret: null });
    } catch (error) {
      return err(classifyStripeError(error));
    }
  }
}
