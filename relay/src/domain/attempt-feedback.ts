import type { BreakerBoard } from './circuit-breaker';
import type { HealthKey, ProviderHealthBoard } from './provider-health';
import type { ProviderFailure } from '../ports/payment-provider';

/** How one call to a provider ended, as far as routing cares. */
export type AttemptOutcome = { ok: true } | { ok: false; code: ProviderFailure['code'] };

/** Timeouts, network errors, 5xx and rate limits say the provider is unwell; "cannot take this payment" does not. */
export function countsAgainstHealth(code: ProviderFailure['code']): boolean {
  return code === 'timeout' || code === 'network' || code === 'server_error' || code === 'rate_limited';
}

/**
 * What routing learns from one call: the provider's breaker and its health for this kind of payment. Shared by
 * the session use case and the routing simulation (`npm run sim:routing`), so both learn the same way.
 * `breakerProbe`: the breaker let this call through as its probe after a cool-down; when it succeeds the
 * failures that opened the breaker are over, and forgetting them lets the provider back to its place at once
 * instead of after the health window's age.
 */
export function learnFromAttempt(
  boards: { breakers: BreakerBoard; health?: ProviderHealthBoard },
  key: HealthKey,
  outcome: AttemptOutcome,
  latencyMs: number,
  breakerProbe: boolean,
  now: number,
): void {
  const { breakers, health } = boards;
  if (outcome.ok) {
    breakers.success(key.provider);
    if (breakerProbe) health?.forget(key);
    else health?.record(key, { kind: 'ok', latencyMs }, now);
  } else if (countsAgainstHealth(outcome.code)) {
    breakers.failure(key.provider, now);
    health?.record(key, { kind: outcome.code === 'timeout' ? 'timeout' : 'error', latencyMs }, now);
  } else {
    breakers.neutral(key.provider);
  }
}
