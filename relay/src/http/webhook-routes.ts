import express, { type Router } from 'express';
import type { WebhookIntake } from '../app/webhook-intake';
import type { Clock } from '../ports/clock';
import { readRawBody } from './read-raw-body';
import { sendError } from './send-error';

/**
 * POST /webhooks/:provider — parse, verify, store, acknowledge; nothing else. The body is read raw (the
 * signature is over the exact bytes) and bounded: a larger one gets 413 before anything is verified.
 */
export function webhookRoutes(deps: { intake: WebhookIntake; clock: Clock; maxBodyBytes: number; onStored?: () => void }): Router {
  const router = express.Router();
  router.post('/webhooks/:provider', async (req, res) => {
    const read = await readRawBody(req, deps.maxBodyBytes);
    if (!read.ok) return sendError(res, read.status, read.code, read.message);
    const result = await deps.intake.take(req.params.provider, read.body, req.headers, deps.clock.now());
    res.status(result.status).json(result.body);
    if (result.status === 200) deps.onStored?.();
  });
  return router;
}

/** Turns body-parser errors (too large, bad encoding) into the relay's error shape with the right status. */
export const bodyErrorHandler: express.ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = typeof error?.status === 'number' ? error.status : 500;
  if (error?.type === 'entity.too.large') return sendError(res, 413, 'payload_too_large', `body is larger than ${error.limit} bytes`);
  if (status >= 400 && status < 500) return sendError(res, status, 'bad_request', String(error.message ?? 'bad request'));
  return sendError(res, 500, 'internal_error', 'the relay failed to handle this request');
};
