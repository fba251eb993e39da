/**
 * Token buckets for unsigned notifications: anyone can send Mollie's classic `id=tr_…` ping, so how many the
 * relay takes is bounded per payment and overall. Pure apart from the buckets it holds: time is passed in.
 */
export interface BucketRule {
  /** Tokens a full bucket holds: the burst allowed at once. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export interface Bucket {
  tokens: number;
  at: number;
}

/** Refills by the time passed, then takes one token if there is one. `retryAfterMs`: when the next one is there. */
export function takeToken(bucket: Bucket | undefined, rule: BucketRule, now: number): { ok: boolean; bucket: Bucket; retryAfterMs: number } {
  const elapsed = bucket ? Math.max(0, now - bucket.at) : 0;
  const tokens = bucket ? Math.min(rule.capacity, bucket.tokens + (elapsed / 1000) * rule.refillPerSecond) : rule.capacity;
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, at: now }, retryAfterMs: 0 };
  return { ok: false, bucket: { tokens, at: now }, retryAfterMs: Math.ceil(((1 - tokens) / rule.refillPerSecond) * 1000) };
}

export interface NotificationLimits {
  perRef: BucketRule;
  overall: BucketRule;
  /** Buckets kept per ref at most (random ids must not grow memory without bound); the oldest go first. */
  maxRefs: number;
}

/** Per payment: a handful at once, then one every 10 s. Overall: 50 a second, bursts of 200. */
export const DEFAULT_NOTIFICATION_LIMITS: NotificationLimits = {
  perRef: { capacity: 5, refillPerSecond: 0.1 },
  overall: { capacity: 200, refillPerSecond: 50 },
  maxRefs: 10_000,
};

export type ThrottleVerdict = { ok: true } | { ok: false; scope: 'ref' | 'overall'; retryAfterMs: number };

export interface NotificationThrottle {
  take(ref: string, now: number): ThrottleVerdict;
}

export function createNotificationThrottle(limits: NotificationLimits = DEFAULT_NOTIFICATION_LIMITS): NotificationThrottle {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const perRef = new Map<string, Bucket>();
  let overall: Bucket | undefined;
  return {
    take(ref, now) {
      const own = takeToken(perRef.get(ref), limits.perRef, now);
      perRef.delete(ref);
      perRef.set(ref, own.bucket);
      if (perRef.size > limits.maxRefs) perRef.delete(perRef.keys().next().value as string);
      if (!own.ok) return { ok: false, scope: 'ref', retryAfterMs: own.retryAfterMs };
      const all = takeToken(overall, limits.overall, now);
      overall = all.bucket;
      if (!all.ok) {
        // The payment's own token is given back: it was the crowd that was refused, not this payment.
        perRef.set(ref, { ...own.bucket, tokens: Math.min(limits.perRef.capacity, own.bucket.tokens + 1) });
        return { ok: false, scope: 'overall', retryAfterMs: all.retryAfterMs };
      }
      return { ok: true };
    },
  };
}
