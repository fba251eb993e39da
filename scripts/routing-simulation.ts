import { learnFromAttempt } from '../relay/src/domain/attempt-feedback';
import { createBreakerBoard } from '../relay/src/domain/circuit-breaker';
import type { PaymentMethod } from '../relay/src/domain/payment-session';
import type { ProviderId } from '../relay/src/domain/provider-event';
import { ProviderHealthBoard } from '../relay/src/domain/provider-health';
import { routeFor, type RouteRule } from '../relay/src/domain/routing';
import type { ProviderCapabilities } from '../relay/src/ports/payment-provider';

/**
 * A simulated day of payments through the relay's real routing code (rules, circuit breakers, and with learning
 * on, provider health): three providers whose failure rates change during the day. Every random draw is made
 * up front from a seed, so both modes see the same payments and the same luck at each provider.
 */

const HOUR = 3_600_000;
export const SIM_PROVIDERS = ['stripe', 'adyen', 'mollie'] as const satisfies readonly ProviderId[];
type SimProvider = (typeof SIM_PROVIDERS)[number];

export const SIM_RULES: readonly RouteRule[] = [
  { name: 'cards', match: { methods: ['card'] }, providers: ['stripe', 'adyen', 'mollie'] },
  { name: 'bank payments', match: { methods: ['bank_transfer'] }, providers: ['mollie', 'adyen', 'stripe'] },
  { name: 'wallets', match: { methods: ['wallet'] }, providers: ['adyen', 'stripe'] },
];

/** A stretch of the day when a provider fails more than usual, for some kinds of payment. */
export interface Incident {
  provider: SimProvider;
  fromHour: number;
  toHour: number;
  failureRate: number;
  failure: 'server_error' | 'timeout';
  methods?: readonly PaymentMethod[];
  countries?: readonly string[];
  what: string;
}

export const SIM_INCIDENTS: readonly Incident[] = [
  { provider: 'stripe', fromHour: 10, toHour: 14, failureRate: 0.45, failure: 'server_error', methods: ['card'], what: 'Stripe card payments: 45 % errors, 10:00–14:00' },
  { provider: 'adyen', fromHour: 15, toHour: 17, failureRate: 0.35, failure: 'timeout', countries: ['NL'], what: 'Adyen in NL: 35 % timeouts, 15:00–17:00' },
  { provider: 'mollie', fromHour: 19, toHour: 20, failureRate: 1, failure: 'server_error', what: 'Mollie: down, 19:00–20:00' },
];
const BASELINE_FAILURE: Record<SimProvider, number> = { stripe: 0.01, adyen: 0.015, mollie: 0.01 };
const CUSTOMER_DECLINE_RATE = 0.06;
const TIMEOUT_MS = 10_000;

const CAPABILITIES: Record<SimProvider, ProviderCapabilities> = {
  stripe: { methods: ['card', 'bank_transfer', 'wallet'], canExpire: true },
  adyen: { methods: ['card', 'bank_transfer', 'wallet'], canExpire: true },
  mollie: { methods: ['card', 'bank_transfer'], canExpire: true },
};

interface SimPayment {
  orderId: string;
  at: number;
  method: PaymentMethod;
  country: string;
  /** Per provider: a uniform draw; the call fails when it is below the provider's failure rate at that moment. */
  luck: Record<SimProvider, number>;
  latencyMs: number;
  declinedByBank: boolean;
}

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(draw: number, weighted: ReadonlyArray<readonly [T, number]>): T {
  let left = draw * weighted.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of weighted) if ((left -= weight) < 0) return value;
  return weighted[weighted.length - 1][0];
}

export function generatePayments(count: number, seed: number): SimPayment[] {
  const next = random(seed);
  const payments = Array.from({ length: count }, () => ({
    at: Math.floor(next() * 24 * HOUR),
    method: pick<PaymentMethod>(next(), [['card', 60], ['bank_transfer', 30], ['wallet', 10]]),
    country: pick(next(), [['NL', 40], ['DE', 30], ['BE', 15], ['FR', 15]]),
    luck: { stripe: next(), adyen: next(), mollie: next() },
    latencyMs: 250 + Math.floor(next() * 900),
    declinedByBank: next() < CUSTOMER_DECLINE_RATE,
  }));
  return payments.sort((a, b) => a.at - b.at).map((p, i) => ({ ...p, orderId: String(100_001 + i) }));
}

/** The incident a call runs into, if any (ground truth the router does not see). */
export function incidentAt(provider: SimProvider, payment: Pick<SimPayment, 'at' | 'method' | 'country'>): Incident | null {
  const hour = payment.at / HOUR;
  return SIM_INCIDENTS.find((i) => i.provider === provider && hour >= i.fromHour && hour < i.toHour
    && (!i.methods || i.methods.includes(payment.method)) && (!i.countries || i.countries.includes(payment.country))) ?? null;
}

export interface SimResult {
  payments: number;
  /** Payments whose first call went to a provider in the middle of an incident. */
  firstToFailing: number;
  /** The same, per incident (by its `what`). */
  firstToFailingBy: Record<string, number>;
  /** Calls made to a provider during its incident, first tries and fallbacks alike. */
  callsToFailing: number;
  /** The first call failed, a later one succeeded. */
  neededFallback: number;
  /** Every provider failed or was skipped. */
  lost: number;
  calls: number;
}

/** Runs the day once: `learning` on is what the relay does; off is the rules and circuit breakers alone. */
export function simulate(payments: readonly SimPayment[], learning: boolean): SimResult {
  const breakers = createBreakerBoard();
  const health = learning ? new ProviderHealthBoard() : undefined;
  const result: SimResult = { payments: payments.length, firstToFailingBy: Object.fromEntries(SIM_INCIDENTS.map((i) => [i.what, 0])), firstToFailing: 0, callsToFailing: 0, neededFallback: 0, lost: 0, calls: 0 };
  for (const payment of payments) {
    const request = { method: payment.method, currency: 'EUR', amountMinor: 2500, customer: { country: payment.country } };
    const key = { method: payment.method, country: payment.country };
    const route = routeFor(request, SIM_RULES, CAPABILITIES, breakers.views(SIM_PROVIDERS, payment.at), {
      orderId: payment.orderId,
      health: health?.assessAll(SIM_PROVIDERS, key, payment.at),
      probePercent: health?.policy.probePercent,
    });
    let attempts = 0;
    let paid = false;
    for (const provider of route.candidates as SimProvider[]) {
      if (!breakers.tryAcquire(provider, payment.at)) continue;
      const breakerProbe = breakers.state(provider).phase === 'half_open';
      const incident = incidentAt(provider, payment);
      attempts += 1;
      result.calls += 1;
      if (incident) {
        result.callsToFailing += 1;
        if (attempts === 1) {
          result.firstToFailing += 1;
          result.firstToFailingBy[incident.what] += 1;
        }
      }
      const failed = payment.luck[provider] < (incident?.failureRate ?? BASELINE_FAILURE[provider]);
      const code = incident?.failure ?? 'server_error';
      const latencyMs = failed && code === 'timeout' ? TIMEOUT_MS : payment.latencyMs;
      learnFromAttempt({ breakers, health }, { provider, ...key }, failed ? { ok: false, code } : { ok: true }, latencyMs, breakerProbe, payment.at);
      if (failed) continue;
      // The bank's decline arrives later by webhook; the relay counts it as the provider working.
      if (payment.declinedByBank) health?.record({ provider, ...key }, { kind: 'declined', fault: 'customer' }, payment.at);
      paid = true;
      break;
    }
    if (!paid) result.lost += 1;
    else if (attempts > 1) result.neededFallback += 1;
  }
  return result;
}
