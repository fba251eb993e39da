import crypto from 'node:crypto';

/** Requests from the shop older (or newer) than this are refused, so a captured request cannot be replayed later. */
export const SHOP_REQUEST_TOLERANCE_SECONDS = 300;

/**
 * The shop's request signature, shared with the WordPress plugin (see shared/request-signing.md):
 * `v1=` hex HMAC-SHA256(secret, `${timestamp}.${METHOD}.${pathWithQuery}.${rawBody}`). Binding the method and
 * path means a signature for one endpoint cannot be replayed on another.
 */
export function signShopRequest(secret: string, timestamp: number, method: string, pathWithQuery: string, rawBody: string | Buffer): string {
  const mac = crypto.createHmac('sha256', secret);
  mac.update(`${timestamp}.${method.toUpperCase()}.${pathWithQuery}.`);
  mac.update(rawBody);
  return `v1=${mac.digest('hex')}`;
}

export type ShopSignatureCheck =
  | { ok: true }
  | { ok: false; code: 'missing_signature' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature'; message: string };

export function verifyShopRequest(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  method: string,
  pathWithQuery: string,
  rawBody: string | Buffer,
  nowMs: number,
): ShopSignatureCheck {
  if (!headers.timestamp || !headers.signature) {
    return { ok: false, code: 'missing_signature', message: 'X-Payrelay-Timestamp and X-Payrelay-Signature headers are required' };
  }
  if (!/^\d{1,12}$/.test(headers.timestamp)) {
    return { ok: false, code: 'bad_timestamp', message: 'X-Payrelay-Timestamp must be unix seconds' };
  }
  const timestamp = Number(headers.timestamp);
  // Signature first, then the clock: a forged request learns nothing about our clock.
  const expected = Buffer.from(signShopRequest(secret, timestamp, method, pathWithQuery, rawBody));
  const candidates = headers.signature.split(',').map((value) => Buffer.from(value.trim()));
  const matches = candidates.some((candidate) => candidate.length === expected.length && crypto.timingSafeEqual(candidate, expected));
  if (!matches) return { ok: false, code: 'bad_signature', message: 'signature does not match this request (check the shop secret)' };
  if (Math.abs(nowMs / 1000 - timestamp) > SHOP_REQUEST_TOLERANCE_SECONDS) {
    return { ok: false, code: 'stale_timestamp', message: `request timestamp is more than ${SHOP_REQUEST_TOLERANCE_SECONDS} s away from the relay's clock (check the shop's clock)` };
  }
  return { ok: true };
}
