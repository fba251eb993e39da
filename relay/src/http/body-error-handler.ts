import type express from 'express';
import { sendError } from './send-error';

/**
 * Turns body-parser errors (too large, bad encoding) on the JSON routes into the relay's error shape with the
 * right status. Webhooks read their own bodies (read-raw-body.ts) and answer the same way.
 */
export const bodyErrorHandler: express.ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = typeof error?.status === 'number' ? error.status : 500;
  if (error?.type === 'entity.too.large') return sendError(res, 413, 'payload_too_large', `body is larger than ${error.limit} bytes`);
  if (status >= 400 && status < 500) return sendError(res, status, 'bad_request', String(error.message ?? 'bad request'));
  return sendError(res, 500, 'internal_error', 'the relay failed to handle this request');
};
