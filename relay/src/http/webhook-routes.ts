import express, { type Router } from 'express';
import type { WebhookIntake } from '../app/webhook-intake';
import type { Clock } from '../ports/clock';
import { readRawBody } from './read-raw-body';
import { asyncRoute } from './error-handler';
import { sendError } from './send-error';

/**
 * POST /webhooks/:provider — parse, verify, store, acknowledge; nothing else. The body is read raw (the
 * signature is over the exact bytes) and bounded: a larger one gets 413 before anything is verified.
 */
export function webhookRoutes(deps: { intake: WebhookIntake; clock: Clock; maxBodyBytes: number; onStored?: () => void }): Router {
  const router = express.Router();
  router.post('/webhooks/:provider', asyncRoute(async (req, res) => {
    const read = await readRawBody(req, deps.maxBodyBytes);
    if (!read.ok) return sendError(res, read.status, read.code, read.message);
    const result = await deps.intake.take(req.params.provider, read.body, req.headers, deps.clock.now());
    res.status(result.status).json(result.body);
    if (result.status === 200) deps.onStored?.();
  }));
  return router;
}
