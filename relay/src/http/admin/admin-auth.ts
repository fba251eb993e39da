import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import { createNotificationThrottle, type NotificationLimits } from '../../domain/token-bucket';
import type { Clock } from '../../ports/clock';
import { isDirectLocalRequest, sameSecret } from '../token-guard';
import { ADMIN_COOKIE, ADMIN_SESSION_MS, adminSessionKey, csrfTokenFor, issueAdminSession, readAdminSession, readCookie } from './admin-session';

/** Who is looking at a dashboard page: enough to put the CSRF token in its forms. */
export interface AdminViewer {
  csrf: string;
  /** No login: a sandbox relay without a token, seen from this machine. */
  localOnly: boolean;
}

export type AdminVerdict =
  | { ok: true; viewer: AdminViewer }
  | { ok: false; kind: 'login' }
  | { ok: false; kind: 'refused'; reason: string };

export interface AdminAuthOptions {
  /** PAYRELAY_ADMIN_TOKEN, or null. */
  adminToken: string | null;
  /** No shop configured (the demo shop): without a token the dashboard is shown to this machine only. */
  sandboxMode: boolean;
  clock: Clock;
  /** Set the cookie's Secure flag (the relay is reached over https). */
  secureCookies: boolean;
  /** The dashboard's path, the cookie's Path (default /admin; a registered shop's dashboard has its own). */
  cookiePath?: string;
}

/** Per address: 5 attempts at once, then one every 12 s; all addresses together: 20, then one a second. */
export const LOGIN_LIMITS: NotificationLimits = {
  perRef: { capacity: 5, refillPerSecond: 1 / 12 },
  overall: { capacity: 20, refillPerSecond: 1 },
  maxRefs: 1000,
};

const LOCAL_SESSION_ID = 'local-dashboard-without-login';

/**
 * The dashboard's door. With PAYRELAY_ADMIN_TOKEN: a login form sets a signed, expiring, HttpOnly,
 * SameSite=Strict cookie. Without one: a sandbox relay serves direct local requests (like /metrics) and
 * anything else gets a page saying how to set the token.
 */
export function createAdminAuth(options: AdminAuthOptions) {
  const key = options.adminToken ? adminSessionKey(options.adminToken) : crypto.randomBytes(32);
  const throttle = createNotificationThrottle(LOGIN_LIMITS);

  const cookie = (value: string, maxAgeSeconds: number) =>
    `${ADMIN_COOKIE}=${value}; Path=${options.cookiePath ?? '/admin'}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${options.secureCookies ? '; Secure' : ''}`;

  return {
    hasLogin: options.adminToken !== null,

    check(req: Request): AdminVerdict {
      if (options.adminToken) {
        const session = readAdminSession(key, readCookie(req.headers.cookie, ADMIN_COOKIE), options.clock.now());
        return session ? { ok: true, viewer: { csrf: csrfTokenFor(key, session.id), localOnly: false } } : { ok: false, kind: 'login' };
      }
      if (!options.sandboxMode) {
        return { ok: false, kind: 'refused', reason: 'This relay serves a real shop and has no PAYRELAY_ADMIN_TOKEN, so its dashboard is off.' };
      }
      if (!isDirectLocalRequest(req)) {
        return { ok: false, kind: 'refused', reason: 'Without PAYRELAY_ADMIN_TOKEN a sandbox relay shows its dashboard only to direct requests from its own machine (not through a proxy).' };
      }
      return { ok: true, viewer: { csrf: csrfTokenFor(key, LOCAL_SESSION_ID), localOnly: true } };
    },

    /** A form's CSRF token against the viewer's, in constant time. */
    csrfMatches(viewer: AdminViewer, given: unknown): boolean {
      return typeof given === 'string' && given !== '' && sameSecret(given, viewer.csrf);
    },

    /** Checks a login attempt; on success sets the session cookie. Every attempt takes a token from the limiter. */
    login(req: Request, res: Response, given: unknown): { ok: true } | { ok: false; status: 401 | 429; message: string; retryAfterSeconds?: number } {
      const now = options.clock.now();
      const verdict = throttle.take(req.socket.remoteAddress ?? 'unknown', now);
      if (!verdict.ok) {
        const retryAfterSeconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
        return { ok: false, status: 429, message: `Too many login attempts; try again in ${retryAfterSeconds} s.`, retryAfterSeconds };
      }
      if (!options.adminToken || typeof given !== 'string' || !sameSecret(given, options.adminToken)) {
        return { ok: false, status: 401, message: 'That is not the admin token.' };
      }
      res.setHeader('Set-Cookie', cookie(issueAdminSession(key, now), ADMIN_SESSION_MS / 1000));
      return { ok: true };
    },

    logout(res: Response): void {
      res.setHeader('Set-Cookie', cookie('', 0));
    },
  };
}

export type AdminAuth = ReturnType<typeof createAdminAuth>;
