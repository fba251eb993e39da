import type { BreakerView } from './circuit-breaker';
import { orderBucket } from './order-bucket';
import type { RequestedMethod } from './payment-session';
import type { ProviderId } from './provider-event';
import type { HealthAssessment } from './provider-health';
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
  /**
   * Share the first place between providers of the list by weight (`{"stripe": 70, "adyen": 30}`), stable per
   * order: the order id picks one, which moves to the place of the first of them; the others stay as fallbacks.
   */
  split?: Partial<Record<ProviderId, number>>;
}

/** Why a provider is where it is in this payment's order, in words for the payment log. */
export interface RoutingNote {
  provider: ProviderId;
  kind: 'split' | 'moved_down' | 'probe';
  message: string;
}

/** What routing knows about this particular payment: its order (for split and probes) and the providers' health. */
export interface OrderRouting {
  orderId: string;
  /** Health per provider for this payment's method and country; absent = routing by rules only. */
  health?: Partial<Record<ProviderId, HealthAssessment>>;
  /** Share of payments (0–100) that still try a degraded provider in its rule position. */
  probePercent?: number;
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
  /** Why the order differs from the rule's list (split, health); empty when it does not. */
  notes: RoutingNote[];
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
  order?: OrderRouting,
): Route {
  const rule = rules.find((candidate) => ruleMatches(candidate, request)) ?? null;
  if (!rule) return { candidates: [], skipped: [], rule: null, notes: [] };
  const notes: RoutingNote[] = [];
  const listed = order ? applySplit(rule, order.orderId, notes) : [...rule.providers];
  const available: ProviderId[] = [];
  const skipped: SkippedProvider[] = [];
  for (const provider of listed) {
    const reason = whyNot(provider, request, capabilities[provider], breakers[provider]);
    if (reason) skipped.push({ provider, reason });
    else if (!available.includes(provider)) available.push(provider);
  }
  const candidates = order?.health ? demoteDegraded(available, order, breakers, notes) : available;
  return { candidates, skipped, rule, notes };
}

/** The rule's list with the split's pick for this order in the place of the split's first provider. */
function applySplit(rule: RouteRule, orderId: string, notes: RoutingNote[]): ProviderId[] {
  const list = [...rule.providers];
  const weights = rule.providers.flatMap((p) => (rule.split?.[p] ? [{ provider: p, weight: rule.split[p]! }] : []));
  const total = weights.reduce((sum, w) => sum + w.weight, 0);
  if (weights.length < 2 || total <= 0) return list;
  let point = orderBucket('split', orderId, total);
  const picked = weights.find((w) => (point -= w.weight) < 0)!.provider;
  const shares = weights.map((w) => `${providerDisplayName(w.provider)} ${Math.round((100 * w.weight) / total)}%`).join(' / ');
  notes.push({ provider: picked, kind: 'split', message: `${providerDisplayName(picked)} first for this order: rule "${rule.name}" splits ${shares}, fixed by the order number so a retry goes the same way` });
  const firstPlace = list.indexOf(weights[0].provider);
  list.splice(list.indexOf(picked), 1);
  list.splice(firstPlace, 0, picked);
  return list;
}

/**
 * Elimination routing: a degraded provider goes after the healthy ones (in rule order), before its breaker has
 * to open. A fixed share of orders (by order id) keeps it in its place, so its recovery shows in its outcomes.
 * When every candidate is degraded the rule order stands: there is no one better to prefer.
 */
function demoteDegraded(available: readonly ProviderId[], order: OrderRouting, breakers: Partial<Record<ProviderId, BreakerView>>, notes: RoutingNote[]): ProviderId[] {
  const health = order.health ?? {};
  const degraded = available.filter((p) => health[p]?.degraded);
  if (degraded.length === 0 || degraded.length === available.length) return [...available];
  const probePercent = order.probePercent ?? 0;
  const front: ProviderId[] = [];
  const back: Array<{ provider: ProviderId; reason: string }> = [];
  for (const provider of available) {
    const assessment = health[provider];
    const breaker = breakers[provider];
    if (!assessment?.degraded) {
      front.push(provider);
    } else if (breaker?.available && breaker.probe) {
      // The breaker's cool-down is over and it wants its one probe call: moving the provider down would starve it.
      front.push(provider);
      notes.push({ provider, kind: 'probe', message: `${providerDisplayName(provider)} kept in its place for its circuit breaker's probe call (${assessment.reason})` });
    } else if (orderBucket(`probe:${provider}`, order.orderId, 100) < probePercent) {
      front.push(provider);
      notes.push({ provider, kind: 'probe', message: `${providerDisplayName(provider)} kept in its place to probe it (${assessment.reason}; ${probePercent}% of orders keep trying it)` });
    } else {
      back.push({ provider, reason: assessment.reason });
    }
  }
  const ordered = [...front, ...back.map((b) => b.provider)];
  for (const { provider, reason } of back) {
    // Already last among the available ones: it did not move, but the log still says why it is not preferred.
    const moved = ordered.indexOf(provider) > available.indexOf(provider);
    notes.push({ provider, kind: 'moved_down', message: `${providerDisplayName(provider)} ${moved ? 'moved down' : 'kept last'}: ${reason}` });
  }
  return ordered;
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
