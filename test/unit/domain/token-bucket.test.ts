import { createNotificationThrottle, takeToken } from '../../../relay/src/domain/token-bucket';

describe('token bucket (injected clock)', () => {
  const t0 = 1_800_000_000_000;

  it('a full bucket gives its capacity at once, then one token per refill interval', () => {
    const rule = { capacity: 3, refillPerSecond: 0.5 };
    let bucket;
    const taken: boolean[] = [];
    for (let i = 0; i < 5; i += 1) {
      const result = takeToken(bucket, rule, t0);
      bucket = result.bucket;
      taken.push(result.ok);
    }
    expect(taken).toEqual([true, true, true, false, false]);
    expect(takeToken(bucket, rule, t0).retryAfterMs).toBe(2000);
    expect(takeToken(bucket, rule, t0 + 1999).ok).toBe(false);
    expect(takeToken(bucket, rule, t0 + 2000).ok).toBe(true);
    // Never more than its capacity, however long it waited.
    let idle = takeToken(bucket, rule, t0 + 3_600_000).bucket;
    expect(idle.tokens).toBe(2);
    idle = takeToken(idle, rule, t0 + 3_600_000).bucket;
    expect(takeToken(idle, rule, t0 + 3_600_000).ok).toBe(true);
  });

  it('notifications: bounded per payment and overall; a payment refused by the crowd keeps its own token', () => {
    const throttle = createNotificationThrottle({ perRef: { capacity: 2, refillPerSecond: 1 }, overall: { capacity: 3, refillPerSecond: 1 }, maxRefs: 100 });
    expect(throttle.take('tr_a', t0)).toEqual({ ok: true });
    expect(throttle.take('tr_a', t0)).toEqual({ ok: true });
    expect(throttle.take('tr_a', t0)).toEqual({ ok: false, scope: 'ref', retryAfterMs: 1000 });
    expect(throttle.take('tr_b', t0)).toEqual({ ok: true });
    expect(throttle.take('tr_c', t0)).toEqual({ ok: false, scope: 'overall', retryAfterMs: 1000 });
    expect(throttle.take('tr_c', t0 + 1000)).toEqual({ ok: true });
    expect(throttle.take('tr_c', t0 + 1000)).toMatchObject({ ok: false, scope: 'overall' });
  });

  it('random ids cannot grow its memory without bound: the least recently used buckets go', () => {
    const throttle = createNotificationThrottle({ perRef: { capacity: 1, refillPerSecond: 0.001 }, overall: { capacity: 1e9, refillPerSecond: 1e9 }, maxRefs: 10 });
    expect(throttle.take('tr_keep', t0).ok).toBe(true);
    for (let i = 0; i < 9; i += 1) throttle.take(`tr_${i}`, t0);
    expect(throttle.take('tr_keep', t0).ok).toBe(false);
    for (let i = 0; i < 50; i += 1) throttle.take(`tr_x${i}`, t0);
    // Forgotten: a fresh bucket (a flood of new ids costs at most maxRefs buckets).
    expect(throttle.take('tr_keep', t0).ok).toBe(true);
  });
});
