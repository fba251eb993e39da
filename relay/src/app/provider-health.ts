import type { BreakerBoard } from '../domain/circuit-breaker';
import { assertNever } from '../domain/payment-status';
import type { ProviderId } from '../domain/provider-event';
import { providerDisplayName } from '../domain/provider-names';
import type { Clock } from '../ports/clock';
import type { InboxStore } from '../ports/inbox-store';
import type { OpsStore } from '../ports/ops-store';

export interface ProviderHealth {
  provider: ProviderId;
  name: string;
  breaker: 'closed' | 'half_open' | 'open';
  /** Why the breaker is not closed, or how its recent calls went, in words. */
  breakerNote: string;
  /** Webhooks stored and refused in the window. */
  accepted: number;
  rejected: number;
  /** Refused share of webhook deliveries in the window; null when none arrived. */
  webhookErrorRate: number | null;
  lastWebhookAt: number | null;
  /** The URL to paste in the provider's dashboard, and where. */
  webhookUrl: string;
  webhookSetup: string;
}

export interface ProviderHealthDeps {
  providers: Iterable<ProviderId>;
  breakers: BreakerBoard;
  ops: Pick<OpsStore, 'webhookCountsSince'>;
  inbox: Pick<InboxStore, 'lastReceivedAt'>;
  clock: Clock;
  publicUrl: string;
}

export const HEALTH_WINDOW_MS = 24 * 3_600_000;

/** Each configured provider as an operator checks it: breaker, webhook error rate, last webhook, webhook URL. */
export function providerHealth(deps: ProviderHealthDeps): ProviderHealth[] {
  const now = deps.clock.now();
  const counts = deps.ops.webhookCountsSince(now - HEALTH_WINDOW_MS);
  const last = deps.inbox.lastReceivedAt();
  return [...deps.providers].map((provider) => {
    const state = deps.breakers.state(provider);
    const view = deps.breakers.view(provider, now);
    const { accepted = 0, rejected = 0 } = counts[provider] ?? {};
    const name = providerDisplayName(provider);
    return {
      provider,
      name,
      breaker: state.phase,
      breakerNote:
        state.phase === 'closed'
          ? state.window.length === 0
            ? 'no API calls since the relay started'
            : `${state.window.filter(Boolean).length} of the last ${state.window.length} API calls failed`
          : view.available
            ? 'cool-down over: the next session tries it again'
            : view.reason,
      accepted,
      rejected,
      webhookErrorRate: accepted + rejected === 0 ? null : rejected / (accepted + rejected),
      lastWebhookAt: last[provider] ?? null,
      webhookUrl: `${deps.publicUrl}/webhooks/${provider}`,
      webhookSetup: webhookSetup(provider, name),
    };
  });
}

function webhookSetup(provider: ProviderId, name: string): string {
  switch (provider) {
    case 'stripe':
      return 'Stripe Dashboard → Developers → Webhooks → Add endpoint, or let npm run providers:connect register it (and keep its signing secret).';
    case 'paypal':
      return 'PayPal Developer Dashboard → your REST app → Webhooks → Add webhook, or npm run providers:connect; then set PAYPAL_WEBHOOK_ID.';
    case 'adyen':
      return 'Adyen Customer Area → Developers → Webhooks → Standard webhook: this URL, JSON, HMAC enabled (the key goes in ADYEN_HMAC_KEY).';
    case 'coinbase-commerce':
      return 'Coinbase Commerce → Settings → Notifications → Add an endpoint; the shared secret goes in COINBASE_COMMERCE_WEBHOOK_SECRET.';
    case 'mollie':
      return `Nothing to paste: the relay gives ${name} this URL with every payment it creates.`;
    case 'sandbox':
      return 'Nothing to paste: the sandbox checkout page sends its signed webhooks here.';
    default:
      return assertNever(provider);
  }
}
