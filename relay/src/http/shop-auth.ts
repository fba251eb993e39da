import express, { type RequestHandler } from 'express';
import type { Clock } from '../ports/clock';
import { verifyShopRequest } from './request-signature';
import { sendError } from './send-error';

/**
 * Reads the raw body, refuses requests not signed with the shop secret, then parses the JSON. Mount it before
 * any other body parser: the signature is over the exact bytes.
 */
export function requireShopSignature(secret: string, clock: Clock, maxBodyBytes: number): RequestHandler[] {
  return [
    express.raw({ type: () => true, limit: maxBodyBytes }),
    (req, res, next) => {
      const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifyShopRequest(
        secret,
        { timestamp: req.header('x-payrelay-timestamp'), signature: req.header('x-payrelay-signature') },
        req.method,
        req.originalUrl,
        raw,
        clock.now(),
      );
      if (!check.ok) {
        sendError(res, 401, check.code, check.message);
        return;
      }
      if (raw.length > 0) {
        try {
          req.body = JSON.parse(raw.toString('utf8'));
        } catch {
          sendError(res, 400, 'invalid_json', 'request body is not valid JSON');
          return;
        }
      } else {
        req.body = {};
      }
      next();
    },
  ];
}
