import type express from 'express';
import type { Logger } from '../ports/logger';
import { sendError } from './send-error';

/**
 * The app's last handler: body-parser errors (too large, bad encoding) become the relay's error shape with the
 * right status; anything else is a bug, logged and answered 500. Webhooks read their own bodies
 * (read-raw-body.ts) and answer the same way.
 */
export function createErrorHandler(logger: Logger): express.ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error?.status === 'number' ? error.status : 500;
    if (error?.type === 'entity.too.large') return sendError(res, 413, 'payload_too_large', `body is larger than ${error.limit} bytes`);
    if (status >= 400 && status < 500) return sendError(res, status, 'bad_request', String(error.message ?? 'bad request'));
    logger.error('request failed', { method: req.method, path: req.path, error: String(error) });
    return sendError(res, 500, 'internal_error', 'the relay failed to handle this request');
  };
}

/**
 * Express 4 ignores the promise an async handler returns: a rejection would go unhandled, and Node 20 exits on
 * one. Every async route goes through this, so a failure reaches the error handler above instead.
 */
export function asyncRoute(handler: (req: express.Request, res: express.Response) => Promise<unknown>): express.RequestHandler {
  return (req, res, next) => {
    handler(req, res).catch(next);
  };
}
