import type { RequestedMethod } from './payment-session';
import type { ProviderId } from './provider-event';
import { providerDisplayName } from './provider-names';

/**
 * What one call or payment at a provider said about the provider's health. A decline is the provider's fault
 * when it failed to process the payment (Stripe `processing_error`, an acquirer outage); a card declined by the
 * customer's bank (insufficient funds, wrong CVC) is the customer's, and counts as the provider working.
 */
export type HealthOutcome =
  | { kind: 'ok'; latencyMs: number }
  /** 5xx, network error, rate limit. */
  | { kind: 'error'; latencyMs: number }
  | { kind: 'timeout'; latencyMs: number }
  | { kind: 'declined'; fault: 'provider' | 'customer' };

/** Health is kept per provider, method and country: a provider can be down for iDEAL in NL and fine for cards. */
export interface HealthKey {
  provider: ProviderId;
  method: RequestedMethod;
  country: string;
}

export interface HealthPolicy {
  /** Only the most recent outcomes count (a sliding window). */
  windowSize: number;
  /** Outcomes older than this are forgotten, so a provider nobody tried recovers on its own. */
  maxAgeMs: number;
  /** Fewer outcomes than this say nothing. */
  minimumSamples: number;
  /** Degraded when at least this share of the window failed. Lower than the breaker's, so it acts first. */
  failureRate: number;
  /** Degraded when the median latency of the window is above this. */
  slowMedianMs: number;
  /** Share of payments (0–100) that still try a degraded provider in its rule position, so its recovery is seen. */
  probePercent: number;
}

export const DEFAULT_HEALTH_POLICY: Readonly<HealthPolicy> = Object.freeze({
  windowSize: 10,
  maxAgeMs: 30 * 60_000,
  minimumSamples: 5,
  failureRate: 0.3,
  slowMedianMs: 8_000,
  probePercent: 5,
});

export interface HealthSample {
  at: number;
  outcome: HealthOutcome;
}

export type HealthAssessment =
  | { degraded: false; samples: number; failures: number }
  | { degraded: true; samples: number; failures: number; /** "4 of the last 10 card payments in NL failed at Stripe" */ reason: string };

/** Did this outcome go wrong because of the provider? */
export function isProviderFailure(outcome: HealthOutcome): boolean {
  switch (outcome.kind) {
    case 'ok':
      return false;
    case 'error':
    case 'timeout':
      return true;
    case 'declined':
      return outcome.fault === 'provider';
  }
}

/** The window after one more outcome: newest last, at most `windowSize`, none older than `maxAgeMs`. */
export function pushSample(window: readonly HealthSample[], sample: HealthSample, policy: HealthPolicy): HealthSample[] {
  return [...fresh(window, sample.at, policy), sample].slice(-policy.windowSize);
}

/** How a provider is doing for one kind of payment at `now`, with the reason in words when it is degraded. */
export function assessHealth(key: HealthKey, window: readonly HealthSample[], now: number, policy: HealthPolicy): HealthAssessment {
  const recent = fresh(window, now, policy).slice(-policy.windowSize);
  const failed = recent.filter((s) => isProviderFailure(s.outcome));
  const samples = recent.length;
  const failures = failed.length;
  if (samples < policy.minimumSamples) return { degraded: false, samples, failures };
  const what = paymentsWords(key);
  const name = providerDisplayName(key.provider);
  if (failures / samples >= policy.failureRate) {
    return { degraded: true, samples, failures, reason: `${failures} of the last ${samples} ${what} failed at ${name}${breakdown(failed)}` };
  }
  const latencies = recent.flatMap((s) => ('latencyMs' in s.outcome ? [s.outcome.latencyMs] : []));
  const median = medianOf(latencies);
  if (latencies.length >= policy.minimumSamples && median > policy.slowMedianMs) {
    return { degraded: true, samples, failures, reason: `the last ${latencies.length} ${what} took ${(median / 1000).toFixed(1)} s (median) at ${name}` };
  }
  return { degraded: false, samples, failures };
}

/** "card payments in NL", "payments" (method `any`, no country). */
export function paymentsWords(key: Pick<HealthKey, 'method' | 'country'>): string {
  const method = key.method === 'any' ? '' : `${key.method.replace('_', ' ')} `;
  return `${method}payments${key.country ? ` in ${key.country.toUpperCase()}` : ''}`;
}

function fresh(window: readonly HealthSample[], now: number, policy: HealthPolicy): readonly HealthSample[] {
  return window.filter((s) => now - s.at < policy.maxAgeMs);
}

/** " (3 errors, 1 timeout)": what kind of failures, so support knows whether it is an outage or slowness. */
function breakdown(failed: readonly HealthSample[]): string {
  const count = (kind: HealthOutcome['kind']) => failed.filter((s) => s.outcome.kind === kind).length;
  const parts = [
    plural(count('error'), 'error'),
    plural(count('timeout'), 'timeout'),
    plural(count('declined'), 'decline by the provider', 'declines by the provider'),
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function plural(n: number, one: string, many = `${one}s`): string | null {
  return n === 0 ? null : `${n} ${n === 1 ? one : many}`;
}

function medianOf(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Every provider's recent outcomes, per method and country. Holds state but does no I/O and reads no clock.
 * One board per relay process, in memory: a restarted relay starts trusting every provider again (its circuit
 * breakers do too), which costs at most a few payments' fallbacks.
 */
export class ProviderHealthBoard {
  private readonly windows = new Map<string, HealthSample[]>();

  constructor(readonly policy: HealthPolicy = DEFAULT_HEALTH_POLICY) {}

  record(key: HealthKey, outcome: HealthOutcome, now: number): void {
    const id = keyOf(key);
    this.windows.set(id, pushSample(this.windows.get(id) ?? [], { at: now, outcome }, this.policy));
  }

  /** Start this kind of payment afresh (the provider's circuit breaker probe succeeded: the outage is over). */
  forget(key: HealthKey): void {
    this.windows.delete(keyOf(key));
  }

  assess(key: HealthKey, now: number): HealthAssessment {
    return assessHealth(key, this.windows.get(keyOf(key)) ?? [], now, this.policy);
  }

  /** The assessments routing needs for one payment. */
  assessAll(providers: Iterable<ProviderId>, payment: Omit<HealthKey, 'provider'>, now: number): Partial<Record<ProviderId, HealthAssessment>> {
    const out: Partial<Record<ProviderId, HealthAssessment>> = {};
    for (const provider of providers) out[provider] = this.assess({ ...payment, provider }, now);
    return out;
  }
}

function keyOf(key: HealthKey): string {
  return `${key.provider}|${key.method}|${key.country.toUpperCase()}`;
}
