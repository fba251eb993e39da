import type { BreakerView } from './circuit-breaker';
import { PAYMENT_METHODS, type PaymentMethod } from './payment-session';
import type { ProviderId } from './provider-event';
import { routeFor, type RouteRule, type SkippedProvider } from './routing';
import type { ProviderCapabilities } from '../ports/payment-provider';

/** A cart as the shop describes it before the customer picks a method. Country and amount may be unknown yet. */
export interface CartQuery {
  currency: string;
  country: string | null;
  amountMinor: number | null;
}

export interface RoutableMethod {
  method: PaymentMethod;
  routable: boolean;
  /** In the order a session would try them. */
  providers: ProviderId[];
  skipped: SkippedProvider[];
}

/**
 * Which methods could be routed for this cart right now: the same routing as a session creation (first
 * matching rule, configured providers, capabilities, circuit breakers), once per method. A condition on
 * something the cart does not say yet (no country on the settings screen, no amount) is not held against it,
 * so the answer is "routable for some such cart"; the checkout asks again with everything known.
 */
export function routableMethods(
  cart: CartQuery,
  rules: readonly RouteRule[],
  capabilities: Partial<Record<ProviderId, ProviderCapabilities>>,
  breakers: Partial<Record<ProviderId, BreakerView>>,
): RoutableMethod[] {
  const relevant = rules.map((rule) => ({
    ...rule,
    match: {
      ...rule.match,
      countries: cart.country === null ? undefined : rule.match.countries,
      min_amount: cart.amountMinor === null ? undefined : rule.match.min_amount,
      max_amount: cart.amountMinor === null ? undefined : rule.match.max_amount,
    },
  }));
  return PAYMENT_METHODS.map((method) => {
    const route = routeFor({ method, currency: cart.currency, amountMinor: cart.amountMinor ?? 1, customer: { country: cart.country ?? '' } }, relevant, capabilities, breakers);
    return { method, routable: route.candidates.length > 0, providers: route.candidates, skipped: route.skipped };
  });
}
