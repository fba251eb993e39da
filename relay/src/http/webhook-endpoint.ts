import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookIntake } from '../app/webhook-intake';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { readRawBody } from './read-raw-body';

export interface WebhookEndpointDeps {
  intake: WebhookIntake;
  clock: Clock;
  logger: Logger;
  maxBodyBytes: number;
  /** Called after an event is stored (200), to wake the outbox worker. */
  onStored?: () => void;
}

/** `/webhooks/<provider>`, with an optional trailing slash and query string, as express matched it before. */
const WEBHOOK_PATH = /^\/webhooks\/([^/?#]+)\/?(?:\?.*)?$/i;

/**
 * POST /webhooks/:provider — parse, verify, store, acknowledge; nothing else. This is the relay's hot path, so it
 * is served by Node's HTTP server directly, in front of express: express's per-request work (prototype swaps,
 * query parsing, the middleware walk) cost 2.5 times what Node itself spends on a request, for a route that
 * needs none of it. Returns false for every other request, which then goes to the express app.
 *
 * The body is read raw (the signature is over the exact bytes) and bounded: a larger one gets 413 before
 * anything is verified. Answers have the same `{ error: { code, message } }` shape as the rest of the API.
 */
export function createWebhookEndpoint(deps: WebhookEndpointDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'POST' || req.url === undefined) return false;
    const match = WEBHOOK_PATH.exec(req.url);
    if (!match) return false;
    handle(deps, match[1], req, res).catch((failure: unknown) => {
      deps.logger.error('webhook request failed', { path: req.url, error: String(failure) });
      if (!res.headersSent) sendJson(res, 500, errorBody('internal_error', 'the relay failed to handle this webhook; retry later'));
      else res.destroy();
    });
    return true;
  };
}

async function handle(deps: WebhookEndpointDeps, encodedProvider: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const provider = decodeSegment(encodedProvider);
  if (provider === null) {
    req.resume();
    return sendJson(res, 400, errorBody('bad_request', 'the provider in the path is not valid URL encoding'));
  }
  const read = await readRawBody(req, deps.maxBodyBytes);
  if (!read.ok) return sendJson(res, read.status, errorBody(read.code, read.message));
  const result = await deps.intake.take(provider, read.body, req.headers, deps.clock.now());
  if (result.status === 200 && result.text !== undefined) sendText(res, 200, result.text);
  else sendJson(res, result.status, result.body);
  if (result.status === 200) deps.onStored?.();
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
