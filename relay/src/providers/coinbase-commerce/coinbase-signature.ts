import crypto from 'node:crypto';
import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';

export const COINBASE_SIGNATURE_HEADER = 'x-cc-webhook-signature';

export function signCoinbaseBody(secret: string, raw: Buffer | string): string {
  return crypto.createHmac('sha256', secret).update(raw).digest('hex');
}

/**
 * `X-CC-Webhook-Signature` is lowercase hex HMAC-SHA256 of the raw body with the shared secret as UTF-8
 * (coinbase-commerce-node `Webhook.verifySigHeader`). There is no timestamp, so no replay window: dedupe on the
 * event id and the transition rules cover replays. The SDKs compare the hex string exactly, so an upper-case
 * signature is a mismatch (vector cc-uppercase-hex). Several secrets may be valid during rotation.
 */
export function verifyCoinbaseSignature(raw: Buffer, headerValues: readonly string[], secrets: readonly string[]): Result<void, WebhookRejection> {
  const candidates = headerValues.map((value) => value.trim()).filter((value) => value !== '');
  if (candidates.length === 0) return err({ code: 'missing_signature', message: 'X-CC-Webhook-Signature header is required' });
  if (secrets.length === 0) return err({ code: 'bad_signature', message: 'no Coinbase Commerce webhook secret is configured' });
  const matched = secrets.some((secret) => {
    const expected = Buffer.from(signCoinbaseBody(secret, raw), 'utf8');
    return candidates.some((candidate) => {
      const given = Buffer.from(candidate, 'utf8');
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
  });
  return matched ? ok(undefined) : err({ code: 'bad_signature', message: 'X-CC-Webhook-Signature does not match the body for any configured secret' });
}
