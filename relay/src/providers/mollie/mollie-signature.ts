import crypto from 'node:crypto';
import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';

export const MOLLIE_SIGNATURE_HEADER = 'x-mollie-signature';

export function signMollieBody(secret: string, raw: Buffer | string): string {
  return crypto.createHmac('sha256', secret).update(raw).digest('hex');
}

/**
 * Next-gen Mollie webhooks (https://docs.mollie.com/reference/webhooks-best-practices): `X-Mollie-Signature`
 * is hex HMAC-SHA256 of the raw body, optionally `sha256=`-prefixed. There is no timestamp, so no replay window
 * (dedupe and fetching the payment from the API cover replays). Several secrets (rotation) and several header
 * values may arrive; any match passes.
 */
export function verifyMollieSignature(raw: Buffer, headerValues: readonly string[], secrets: readonly string[]): Result<void, WebhookRejection> {
  const candidates = headerValues
    .flatMap((value) => value.split(','))
    .map((value) => value.trim().replace(/^sha256=/i, '').toLowerCase())
    .filter((value) => value !== '');
  if (candidates.length === 0) return err({ code: 'missing_signature', message: 'X-Mollie-Signature header is required' });
  if (secrets.length === 0) return err({ code: 'bad_signature', message: 'a signed Mollie webhook arrived but no Mollie webhook signing secret is configured' });
  const matched = secrets.some((secret) => {
    const expected = Buffer.from(signMollieBody(secret, raw), 'utf8');
    return candidates.some((candidate) => {
      const given = Buffer.from(candidate, 'utf8');
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
  });
  return matched ? ok(undefined) : err({ code: 'bad_signature', message: 'X-Mollie-Signature does not match the body for any configured secret' });
}
