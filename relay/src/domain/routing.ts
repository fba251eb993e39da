import type { BreakerView } from './circuit-breaker';
import type { RequestedMethod } from './payment-session';
import type { ProviderId } from './provider-event';
import { providerDisplayName } from './provider-names';
import type { SessionRequest } from './session-request';
import type { ProviderCapabilities } from '../ports/payment-provider';

/** One routing rule from the routes file. Amounts are minor units of the request's currency, both ends inclusive. */
export interface RouteRule {
  name: string;
  match: {
    methods?: readonly RequestedMethod[];
    currencies?: readonly string[];
    countries?: readonly string[];
    min_amount?: number;
    max_amount?: number;
  };
  /** Tried in this order; an empty list means "this kind of payment is deliberately not offered". */
  providers: readonly ProviderId[];
}

export interface SkippedProvider {
  provider: ProviderId;
  reason: string;
}

export interface Route {
  /** Providers to try, in order. */
  candidates: ProviderId[];
  skipped: SkippedProvider[];
  /** The rule that matched, or null when none did. */
  rule: RouteRule | null;
}

export type RoutableRequest = Pick<SessionRequest, 'method' | 'currency' | 'amountMinor'> & { customer: { country: string } };

/** Does the rule apply to this request? A missing condition matches everything. */
export function ruleMatches(rule: RouteRule, request: RoutableRequest): boolean {
  const { match } = rule;
  if (match.methods && !match.methods.includes(request.method)) return false;
  if (match.currencies && !match.currencies.some((c) => c.toUpperCase() === request.currency.toUpperCase())) return false;
  if (match.countries && !match.countries.some((c) => c.toUpperCase() === request.customer.country.toUpperCase())) return false;
  if (match.min_amount !== undefined && request.amountMinor < match.min_amount) return false;
  if (match.max_amount !== undefined && request.amountMinor > match.max_amount) return false;
  return true;
}

/**
 * Where a payment may go: the first matching rule wins, then its providers are filtered by what is configured
 * (`capabilities` has an entry only for configured providers), what each can take (method, currency) and their
 * circuit breakers. Every provider left out is named with a reason, for the payment log and the error message.
 */
export function routeFor(
  request: RoutableRequest,
  rules: readonly RouteRule[],
  capabilities: Partial<Record<ProviderId, ProviderCapabilities>>,
  breakers: Partial<Record<ProviderId, BreakerView>>,
): Route {
  const rule = rules.find((candidate) => ruleMatches(candidate, request)) ?? null;
  if (!rule) return { candidates: [], skipped: [], rule: null };
  const candidates: ProviderId[] = [];
  const skipped: SkippedProvider[] = [];
  for (const provider of rule.providers) {
    const reason = whyNot(provider, request, capabilities[provider], breakers[provider]);
    if (reason) skipped.push({ provider, reason });
    else if (!candidates.includes(provider)) candidates.push(provider);
  }
  return { candidates, skipped, rule };
}

function whyNot(
  provider: ProviderId,
  request: RoutableRequest,
  capabilities: ProviderCapabilities | undefined,
  breaker: BreakerView | undefined,
): string | null {
  if (!capabilities) return 'not configured';
  const currency = request.currency.toUpperCase();
  if (request.method !== 'any' && !capabilities.methods.includes(request.method)) {
    return `does not offer ${request.method.replace('_', ' ')} payments`;
  }
  if (request.method === 'any' && capabilities.methods.length === 0) return 'offers no payment methods';
  if (capabilities.currencies && !capabilities.currencies.includes(currency)) return `does not accept ${currency}`;
  if (breaker && !breaker.available) return breaker.reason;
  return null;
}

/** "Stripe: not configured; Mollie: circuit open (…)" — for messages a person reads. */
export function describeSkips(skips: readonly SkippedProvider[]): string {
  return skips.map(describeSkip).join('; ');
}

export function describeSkip(skip: SkippedProvider): string {
  return `${providerDisplayName(skip.provider)}: ${skip.reason}`;
}
