import type { Clock } from '../ports/clock';
import type { ConnectReport, WebhookRegistrar } from '../ports/webhook-registrar';
import type { WebhookSecretStore } from '../ports/webhook-secret-store';
import { providerDisplayName } from '../domain/provider-names';

/** How long a replaced secret keeps verifying: deliveries signed with it may still be in the provider's retry queue. */
export const SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

export interface ConnectDeps {
  registrars: readonly WebhookRegistrar[];
  secrets: WebhookSecretStore;
  clock: Clock;
  /** Where providers reach the relay; each provider's endpoint is `${publicUrl}/webhooks/<id>`. */
  publicUrl: string;
  /** Providers whose signing secret is configured in the environment (STRIPE_WEBHOOK_SECRET, ADYEN_HMAC_KEY). */
  envSecrets: ReadonlySet<string>;
}

export type ConnectOutcome = ConnectReport | { provider: string; action: 'failed'; message: string };

/**
 * `npm run providers:connect` and the plugin's "Connect webhooks" button: create or update the relay's endpoint at
 * each provider with exactly the events it handles, keep what verifies its deliveries (in the database, read per
 * delivery, so no restart), and report endpoints elsewhere for the same events and duplicates.
 */
export async function connectWebhooks(deps: ConnectDeps, options: { rotate: boolean }): Promise<ConnectOutcome[]> {
  const outcomes: ConnectOutcome[] = [];
  for (const registrar of deps.registrars) {
    const url = `${deps.publicUrl.replace(/\/+$/, '')}/webhooks/${registrar.provider}`;
    const known = deps.secrets.current(registrar.provider);
    const connected = await registrar.connect(url, { rotate: options.rotate, knownEndpointId: known?.url === url ? known.endpointId : null, envSecretKnown: deps.envSecrets.has(registrar.provider) });
    if (!connected.ok) {
      outcomes.push({ provider: registrar.provider, action: 'failed', message: `${providerDisplayName(registrar.provider)}: ${connected.error.message}` });
      continue;
    }
    const { report, secret } = connected.value;
    if (secret) deps.secrets.replace({ provider: registrar.provider, endpointId: report.endpointId, url, secret }, deps.clock.now(), SECRET_GRACE_MS);
    outcomes.push(report);
  }
  return outcomes;
}

/** One paragraph per provider, for the terminal and the plugin's settings screen. */
export function describeConnect(outcomes: readonly ConnectOutcome[]): string[] {
  if (outcomes.length === 0) return ['No provider with a webhook API is configured (Stripe needs STRIPE_SECRET_KEY, PayPal PAYPAL_CLIENT_ID, Adyen ADYEN_MANAGEMENT_API_KEY).'];
  return outcomes.map((o) => {
    const name = providerDisplayName(o.provider as ConnectReport['provider']);
    if (o.action === 'failed') return `${name}: could not connect: ${o.message}`;
    const lines = [`${name}: endpoint ${o.endpointId} ${o.action} for ${o.url} (${o.events.length} event types).`];
    for (const other of o.elsewhere) lines.push(`  ${name} also sends these events to ${other.url} (endpoint ${other.id}): a stale staging URL? Delete it in the ${name} dashboard if nothing listens there.`);
    for (const dup of o.duplicates) lines.push(`  Duplicate endpoint ${dup.id} for the same URL: every event arrives twice (harmless, deduplicated); delete it in the ${name} dashboard.`);
    for (const warning of o.warnings) lines.push(`  ${warning}`);
    return lines.join('\n');
  });
}
