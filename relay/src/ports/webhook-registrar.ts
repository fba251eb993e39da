import type { ProviderId } from '../domain/provider-event';
import type { Result } from '../domain/result';
import type { ProviderFailure } from './payment-provider';

/** A webhook endpoint as a provider lists it. */
export interface RemoteEndpoint {
  id: string;
  url: string;
  events: string[];
  /** Stripe can disable an endpoint that keeps failing. */
  enabled: boolean;
}

/** What `providers:connect` did at one provider, for the person who ran it. Never carries the secret itself. */
export interface ConnectReport {
  provider: ProviderId;
  action: 'created' | 'updated' | 'unchanged' | 'rotated';
  endpointId: string;
  url: string;
  events: string[];
  /** Endpoints for the same events that deliver elsewhere (a stale staging URL): they get every event too. */
  elsewhere: RemoteEndpoint[];
  /** More endpoints with the relay's own URL: each delivery arrives more than once. */
  duplicates: RemoteEndpoint[];
  warnings: string[];
}

/** The connect outcome with what verifies deliveries from now on (stored by the caller, never printed). */
export type Connected = { report: ConnectReport; secret: string | null };

/**
 * Creates or updates the relay's webhook endpoint at one provider with exactly the event types the relay handles.
 * `knownEndpointId` is the endpoint whose secret the relay already keeps (Stripe shows a secret only on creation).
 */
export interface WebhookRegistrar {
  readonly provider: ProviderId;
  connect(url: string, options: { rotate: boolean; knownEndpointId: string | null; envSecretKnown: boolean }): Promise<Result<Connected, ProviderFailure>>;
}

/** Do two endpoints' event lists overlap ("*" = all events)? */
export function overlaps(a: readonly string[], b: readonly string[]): boolean {
  if (a.includes('*') || b.includes('*')) return true;
  return a.some((event) => b.includes(event));
}

export function sameEvents(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}
