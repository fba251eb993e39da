import crypto from 'node:crypto';

/**
 * A payment link's token: what the customer's e-mail carries. It names the link, the order and the link's own
 * expiry, signed by the relay, so a guessed or edited link is refused before anything is looked up, and the
 * token never contains a provider URL that could expire before the customer clicks it. Revocation and payment
 * are checked against the stored link on every open; the token alone is never enough.
 *
 * Format: base64url(JSON {l, o, e}) "." base64url(HMAC-SHA256(key, "payrelay-link-v1." + payload)).
 */
export interface LinkClaims {
  linkId: string;
  orderId: string;
  /** Unix milliseconds. */
  expiresAt: number;
}

export type TokenCheck = { ok: true; claims: LinkClaims } | { ok: false; code: 'malformed' | 'bad_signature' | 'expired'; claims?: LinkClaims };

/** The link key is derived from the shop secret, so no new setting is needed and a rotated secret voids old links' tokens. */
export function linkKey(shopSecret: string): Buffer {
  return crypto.createHmac('sha256', shopSecret).update('payrelay payment links').digest();
}

export function signLinkToken(key: Buffer, claims: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify({ l: claims.linkId, o: claims.orderId, e: claims.expiresAt })).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

export function verifyLinkToken(key: Buffer, token: string, nowMs: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]{1,600}$/.test(parts[0]) || !/^[A-Za-z0-9_-]{43}$/.test(parts[1])) return { ok: false, code: 'malformed' };
  const expected = Buffer.from(mac(key, parts[0]));
  const given = Buffer.from(parts[1]);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, code: 'bad_signature' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, code: 'malformed' };
  }
  const r = raw as { l?: unknown; o?: unknown; e?: unknown };
  if (typeof r.l !== 'string' || typeof r.o !== 'string' || typeof r.e !== 'number') return { ok: false, code: 'malformed' };
  const claims = { linkId: r.l, orderId: r.o, expiresAt: r.e };
  if (nowMs >= claims.expiresAt) return { ok: false, code: 'expired', claims };
  return { ok: true, claims };
}

function mac(key: Buffer, payload: string): string {
  return crypto.createHmac('sha256', key).update(`payrelay-link-v1.${payload}`).digest('base64url');
}
