import type { IncomingMessage } from 'node:http';
import { sameSecret } from '../domain/same-secret';

export { sameSecret };

/** Is this request from this machine, directly (not relayed by a reverse proxy, which would make anyone local)? */
export function isDirectLocalRequest(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  const loopback = address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
  return loopback && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined && req.headers['x-real-ip'] === undefined;
}

/** `Authorization: Bearer <token>`, compared in constant time. */
export function hasBearerToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match !== null && sameSecret(match[1], token);
}

export type TokenVerdict = { ok: true } | { ok: false; status: 401 | 403; code: string; message: string };

/**
 * With a token configured, only requests carrying it pass. Without one, only direct requests from this machine
 * do: a relay on a public address must not show its queues to anyone who asks.
 */
export function checkToken(req: IncomingMessage, token: string | null, variable: string): TokenVerdict {
  if (token) {
    return hasBearerToken(req, token) ? { ok: true } : { ok: false, status: 401, code: 'unauthorized', message: `send "Authorization: Bearer <${variable}>"` };
  }
  return isDirectLocalRequest(req)
    ? { ok: true }
    : { ok: false, status: 403, code: 'forbidden', message: `only local requests are served without a token; set ${variable} and send it as "Authorization: Bearer <token>"` };
}
