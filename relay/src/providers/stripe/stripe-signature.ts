import { err, type Result } from '../../domain/result';
import type { WebhookHeaders, WebhookRejection } from '../../ports/payment-provider';
import { verifyTimestamped } from '../timestamped-hmac';
import { headerValues } from '../webhook-headers';

export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

/**
 * Stripe refuses only old timestamps (stripe-node `Webhooks.ts` checks `age > tolerance`, never a future `t`).
 * We also refuse a timestamp more than an hour ahead: a clock that far off is a fault worth seeing, and a
 * far-future `t` would keep a captured delivery inside the window for that long. An hour keeps ordinary skew
 * (and the stripe-node "future timestamp" vector, 600 s ahead) passing.
 */
export const STRIPE_MAX_FUTURE_SECONDS = 3600;

/**
 * Verify `Stripe-Signature: t=…,v1=…[,v1=…]` over the raw bytes (https://docs.stripe.com/webhooks#verify-manually).
 * Any configured secret (rotation) and any v1 value may match; v0 is ignored. The age is always checked: tolerance 0
 * does not skip it (stripe-node's does), so no setting can switch off replay protection.
 */
export function verifyStripeSignature(
  raw: Buffer,
  headers: WebhookHeaders,
  secrets: readonly string[],
  nowMs: number,
  toleranceSeconds: number,
): Result<{ timestamp: number }, WebhookRejection> {
  const values = headerValues(headers, STRIPE_SIGNATURE_HEADER);
  // stripe-node refuses an empty payload before looking at the HMAC ("No webhook payload was provided.").
  if (values.length > 0 && raw.length === 0) return err({ code: 'malformed', message: 'no webhook payload was provided' });
  return verifyTimestamped(raw, values.length > 0 ? values.join(',') : undefined, {
    headerName: 'Stripe-Signature',
    secrets,
    nowMs,
    toleranceSeconds,
    maxFutureSeconds: STRIPE_MAX_FUTURE_SECONDS,
  });
}
