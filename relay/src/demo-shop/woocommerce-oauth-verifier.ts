import { createHmac, timingSafeEqual } from 'node:crypto';
import { wooErrors, type WooErrorReply } from './woocommerce-error-bodies';

/** WooCommerce accepts OAuth timestamps up to 15 minutes either side of its clock (class-wc-rest-authentication.php). */
export const OAUTH_WINDOW_SECONDS = 15 * 60;

export interface OAuthRequest {
  method: string;
  /** The site address WordPress knows (Settings → General), e.g. http://127.0.0.1:8080; the signature is checked over it. */
  siteUrl: string;
  /** The request path below the site address, e.g. /wp-json/wc/v3/orders/14. */
  path: string;
  /** Decoded query parameters (repeated names: last wins, like PHP's $_GET). */
  query: Record<string, string>;
  authorization?: string;
  nowSeconds: number;
}

export interface ShopCredentials {
  consumerKey: string;
  consumerSecret: string;
}

/** `anonymous`: no credentials the shop accepts on this scheme; WordPress then refuses by permission, not by auth. */
export type AuthOutcome = { kind: 'authenticated' } | { kind: 'anonymous' } | { kind: 'rejected'; error: WooErrorReply };

/** Remembers used nonces per key within the timestamp window (WooCommerce keeps them in the key's row). */
export class NonceBook {
  private readonly used = new Map<string, number>();

  /** false when already used. */
  claim(consumerKey: string, nonce: string, timestamp: number, nowSeconds: number): boolean {
    for (const [key, at] of this.used) if (at < nowSeconds - OAUTH_WINDOW_SECONDS) this.used.delete(key);
    const id = `${consumerKey}\u0000${nonce}`;
    if (this.used.has(id)) return false;
    this.used.set(id, timestamp);
    return true;
  }
}

/**
 * WooCommerce's REST authentication: over https, Basic auth or `consumer_key`/`consumer_secret` query parameters;
 * over plain http, only OAuth 1.0a (HMAC-SHA1 or HMAC-SHA256) signed over the site's own URL, with a 15-minute
 * timestamp window and single-use nonces. Anything else over http is ignored, so the request is anonymous.
 */
export function authenticateWooRequest(req: OAuthRequest, creds: ShopCredentials, nonces: NonceBook): AuthOutcome {
  const https = /^https:/i.test(req.siteUrl);
  if (https) {
    const basic = parseBasic(req.authorization);
    const key = basic?.user ?? req.query.consumer_key;
    const secret = basic?.password ?? req.query.consumer_secret;
    if (key !== undefined && secret !== undefined) {
      if (!safeEqual(key, creds.consumerKey)) return { kind: 'rejected', error: wooErrors.consumerKeyInvalid() };
      if (!safeEqual(secret, creds.consumerSecret)) return { kind: 'rejected', error: wooErrors.consumerSecretInvalid() };
      return { kind: 'authenticated' };
    }
  }

  const params = { ...req.query };
  const required = ['oauth_consumer_key', 'oauth_timestamp', 'oauth_nonce', 'oauth_signature', 'oauth_signature_method'];
  if (required.some((name) => !params[name])) return { kind: 'anonymous' };
  if (!safeEqual(params.oauth_consumer_key, creds.consumerKey)) return { kind: 'rejected', error: wooErrors.consumerKeyInvalid() };

  const method = params.oauth_signature_method;
  if (method !== 'HMAC-SHA1' && method !== 'HMAC-SHA256') return { kind: 'rejected', error: wooErrors.signatureMethodInvalid() };
  // PHP decodes "+" in a query string as a space; a base64 signature has "+" in it.
  const given = params.oauth_signature.replace(/ /g, '+');
  delete params.oauth_signature;
  const expected = oauthSignature(req.method, `${req.siteUrl.replace(/\/+$/, '')}${req.path}`, params, creds.consumerSecret, method);
  if (!safeEqual(given, expected)) return { kind: 'rejected', error: wooErrors.signatureMismatch() };

  const timestamp = Number(params.oauth_timestamp);
  if (!Number.isFinite(timestamp) || Math.abs(req.nowSeconds - timestamp) > OAUTH_WINDOW_SECONDS) {
    return { kind: 'rejected', error: wooErrors.timestampInvalid() };
  }
  if (!nonces.claim(creds.consumerKey, params.oauth_nonce, timestamp, req.nowSeconds)) return { kind: 'rejected', error: wooErrors.nonceUsed() };
  return { kind: 'authenticated' };
}

/** OAuth 1.0a signature (RFC 5849 §3.4) with an empty token secret, as WooCommerce computes it. */
export function oauthSignature(
  method: string,
  baseUrl: string,
  params: Record<string, string>,
  consumerSecret: string,
  signatureMethod: 'HMAC-SHA1' | 'HMAC-SHA256',
): string {
  const pairs = Object.entries(params)
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = `${method.toUpperCase()}&${rfc3986(baseUrl)}&${rfc3986(pairs)}`;
  const algorithm = signatureMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256';
  return createHmac(algorithm, `${rfc3986(consumerSecret)}&`).update(base).digest('base64');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseBasic(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
