/** Backoff for shop writes: exponential with full jitter, capped, and never sooner than the shop's Retry-After. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * When to try again after `attempt` failed attempts (1 = the first failed), or null when the attempts are used up.
 * `random` is injected (0 ≤ r < 1) so tests are exact.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempt: number,
  now: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | null {
  if (attempt >= policy.maxAttempts) return null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter spreads retries of many orders so a recovering shop is not hit by all of them at once.
  const jittered = Math.floor(ceiling / 2 + random() * (ceiling / 2));
  return now + Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxDelayMs));
}
