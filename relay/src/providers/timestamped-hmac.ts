import crypto from 'node:crypto';
import { err, ok, type Result } from '../domain/result';
import type { WebhookRejection } from '../ports/payment-provider';

/**
 * The `t=<unix>,v1=<hex>[,v1=<hex>…]` scheme Stripe uses and the sandbox copies:
 * v1 = hex HMAC-SHA256(secret as UTF-8, `${t}.${raw body}`). Modelled on stripe-node `src/Webhooks.ts`.
 */
export function signTimestamped(secret: string, timestamp: number, raw: Buffer | string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest('hex');
}

export interface TimestampedCheck {
  headerName: string;
  /** Every secret that may have signed (rotation): any one passing is enough. */
  secrets: readonly string[];
  nowMs: number;
  /**
   * Max age in seconds. Unlike stripe-node, 0 does not turn the age check off: no setting may switch off replay
   * protection (the configuration bounds Stripe's to 60–3600).
   */
  toleranceSeconds: number;
  /** How far in the future a timestamp may be before it is refused. */
  maxFutureSeconds: number;
}

/** Parse and verify; the signature is checked before the clock, so a forger learns nothing about our clock. */
export function verifyTimestamped(raw: Buffer, header: string | undefined, check: TimestampedCheck): Result<{ timestamp: number }, WebhookRejection> {
  if (header === undefined || header.trim() === '') {
    return err({ code: 'missing_signature', message: `${check.headerName} header is required` });
  }
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    // Only v1 counts; v0 and unknown schemes are ignored (a downgrade must not be possible).
    if (key === 'v1') candidates.push(value);
  }
  if (timestamp === null) {
    return err({ code: 'bad_signature', message: `${check.headerName} header is not in the form t=<unix>,v1=<hex>` });
  }
  if (candidates.length === 0) return err({ code: 'bad_signature', message: `${check.headerName} carries no v1 signature` });

  const ts = timestamp;
  const matched = check.secrets.some((secret) => {
    const expected = Buffer.from(signTimestamped(secret, ts, raw), 'utf8');
    return candidates.some((candidate) => {
      const given = Buffer.from(candidate, 'utf8');
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
  });
  if (!matched) return err({ code: 'bad_signature', message: `${check.headerName} does not match the body for any configured secret` });

  const ageSeconds = check.nowMs / 1000 - ts;
  if (ageSeconds > check.toleranceSeconds) {
    return err({ code: 'stale_timestamp', message: `signature timestamp is ${Math.floor(ageSeconds)} s old, more than the ${check.toleranceSeconds} s allowed` });
  }
  if (-ageSeconds > check.maxFutureSeconds) {
    return err({ code: 'stale_timestamp', message: `signature timestamp is ${Math.ceil(-ageSeconds)} s in the future (check the relay's clock)` });
  }
  return ok({ timestamp: ts });
}
