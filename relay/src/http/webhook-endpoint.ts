import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookIntake } from '../app/webhook-intake';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { RelayMetrics } from '../ports/metrics';
import { readRawBody } from './read-raw-body';

export interface WebhookEndpointDeps {
  intake: WebhookIntake;
  clock: Clock;
  logger: Logger;
  maxBodyBytes: number;
  /** Called after an event is stored (200), to wake the outbox worker. */
  onStored?: () => void;
  /** Counts each answer once it is known, here on the HTTP thread (the recorder thread never counts). */
  metrics?: RelayMetrics;
  /** Provider ids served here: any other path segment is counted as "unknown", so a scan cannot mint labels. */
  knownProviders?: ReadonlySet<string>;
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
  const started = deps.metrics ? performance.now() : 0;
  const provider = decodeSegment(encodedProvider);
  // `text`: a provider that wants a plain-text acknowledgement (Adyen's "[accepted]"); counted by `body` all the same.
  const answer = (status: number, body: unknown, text?: string, headers: Record<string, string> = {}): void => {
    if (text !== undefined) sendText(res, status, text);
    else sendJson(res, status, body, headers);
    if (deps.metrics) count(deps.metrics, provider !== null && deps.knownProviders?.has(provider) ? provider : 'unknown', status, body, (performance.now() - started) / 1000);
  };
  if (provider === null) {
    req.resume();
    return answer(400, errorBody('bad_request', 'the provider in the path is not valid URL encoding'));
  }
  const read = await readRawBody(req, deps.maxBodyBytes);
  if (!read.ok) return answer(read.status, errorBody(read.code, read.message));
  const result = await deps.intake.take(provider, read.body, req.headers, deps.clock.now());
  answer(result.status, result.body, result.status === 200 ? result.text : undefined, result.status === 429 ? { 'retry-after': String(result.retryAfterSeconds) } : {});
  // A collapsed or parked ping queued nothing: only new work wakes the worker.
  const nothingQueued = result.status === 200 && 'outcome' in result.body && result.body.outcome !== 'queued';
  if (result.status === 200 && !nothingQueued) deps.onStored?.();
}

/**
 * One count per event in a 200 (a batch holds several), one per refused or failed request. `unknown_session`
 * is stored too (kept for when its session appears); `applied` is what most webhooks come to.
 */
function count(metrics: RelayMetrics, provider: string, status: number, body: unknown, seconds: number): void {
  if (status === 200) {
    const results = (body as { results?: Array<{ outcome: string }> }).results;
    if (!results) return metrics.webhook(provider, 'stored', 'notification', seconds);
    for (const { outcome } of results) {
      if (outcome === 'duplicate') metrics.webhook(provider, 'duplicate', '', seconds);
      else if (outcome === 'ignored') metrics.webhook(provider, 'ignored', '', seconds);
      else metrics.webhook(provider, 'stored', outcome, seconds);
    }
    return;
  }
  const code = (body as { error?: { code?: string } }).error?.code ?? `http_${status}`;
  metrics.webhook(provider, status >= 500 ? 'failed' : 'rejected', code, seconds);
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

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), ...headers });
  res.end(json);
}
