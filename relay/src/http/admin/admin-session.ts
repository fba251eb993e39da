import crypto from 'node:crypto';
import { sameSecret } from '../token-guard';

/** How long a dashboard login lasts; after that the cookie is refused and the login form shown again. */
export const ADMIN_SESSION_MS = 8 * 3_600_000;
export const ADMIN_COOKIE = 'payrelay_admin';

/**
 * The signing key of dashboard cookies, derived from PAYRELAY_ADMIN_TOKEN: changing the token logs everybody
 * out. The token itself never goes into a cookie.
 */
export function adminSessionKey(adminToken: string): Buffer {
  return crypto.createHmac('sha256', adminToken).update('payrelay admin session v1').digest();
}

const mac = (key: Buffer, text: string): string => crypto.createHmac('sha256', key).update(text).digest('base64url');

/** `<expires at ms>.<random id>.<HMAC of both>`: stateless, so a restart does not log anyone out. */
export function issueAdminSession(key: Buffer, now: number, id: string = crypto.randomBytes(16).toString('base64url')): string {
  const body = `${now + ADMIN_SESSION_MS}.${id}`;
  return `${body}.${mac(key, body)}`;
}

/** The session's id when the cookie is ours and not expired at `now`; null otherwise. */
export function readAdminSession(key: Buffer, cookie: string | undefined, now: number): { id: string; expiresAt: number } | null {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '');
  if (!match) return null;
  if (!sameSecret(match[3], mac(key, `${match[1]}.${match[2]}`))) return null;
  const expiresAt = Number(match[1]);
  return now < expiresAt ? { id: match[2], expiresAt } : null;
}

/** The CSRF token of a session: every form carries it, and a POST without it (a cross-site form) is refused. */
export function csrfTokenFor(key: Buffer, sessionId: string): string {
  return mac(key, `csrf.${sessionId}`);
}

/** One cookie from a Cookie header (no cookie package for one value). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
