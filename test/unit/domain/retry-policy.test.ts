import { nextAttemptAt } from '../../../relay/src/domain/retry-policy';

const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 10_000 };

describe('retry policy: exponential backoff with jitter, honouring Retry-After', () => {
  it('grows exponentially within jitter bounds', () => {
    expect(nextAttemptAt(policy, 1, 0, undefined, () => 0)).toBe(500);
    expect(nextAttemptAt(policy, 1, 0, undefined, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(nextAttemptAt(policy, 1, 0, undefined, () => 0.999)).toBeGreaterThanOrEqual(999);
    expect(nextAttemptAt(policy, 3, 0, undefined, () => 0)).toBe(2000);
    expect(nextAttemptAt(policy, 4, 0, undefined, () => 0.5)).toBe(6000);
  });

  it('is capped', () => {
    expect(nextAttemptAt({ ...policy, maxAttempts: 50 }, 30, 0, undefined, () => 0.999)).toBeLessThanOrEqual(10_000);
    // Capped, not collapsed: the jitter still keeps it in the upper half of the cap.
    expect(nextAttemptAt({ ...policy, maxAttempts: 50 }, 30, 0, undefined, () => 0)).toBe(5_000);
  });

  it('never retries sooner than Retry-After', () => {
    expect(nextAttemptAt(policy, 1, 1000, 7000, () => 0)).toBe(8000);
  });

  it('gives up after the last attempt', () => {
    expect(nextAttemptAt(policy, 5, 0, undefined)).toBeNull();
  });
});
