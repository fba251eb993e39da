import fs from 'node:fs';
import express, { type Router } from 'express';
import { checkReadiness, type ReadinessDeps } from '../app/readiness';
import type { PrometheusMetrics } from '../adapters/prometheus-metrics';
import { asyncRoute } from './error-handler';
import { sendError } from './send-error';
import { checkToken } from './token-guard';

export interface MonitoringRouteDeps {
  readiness: ReadinessDeps;
  metrics: PrometheusMetrics;
  /** PAYRELAY_METRICS_TOKEN; without it /metrics answers direct local requests only. */
  metricsToken: string | null;
  /** shared/openapi.yaml, served as is; null when the file is not shipped next to the build. */
  openapiFile: string | null;
}

/** /readyz (readiness with reasons), /metrics (Prometheus) and /openapi.yaml. /healthz stays in relay.ts. */
export function monitoringRoutes(deps: MonitoringRouteDeps): Router {
  const router = express.Router();

  router.get('/readyz', asyncRoute(async (_req, res) => {
    const readiness = await checkReadiness(deps.readiness);
    res.status(readiness.ready ? 200 : 503).json(readiness);
  }));

  router.get('/metrics', asyncRoute(async (req, res) => {
    const verdict = checkToken(req, deps.metricsToken, 'PAYRELAY_METRICS_TOKEN');
    if (!verdict.ok) return sendError(res, verdict.status, verdict.code, verdict.message);
    const text = await deps.metrics.render();
    // Exactly prom-client's content type (express's send would add a charset before the version).
    res.setHeader('content-type', deps.metrics.contentType);
    res.end(text);
  }));

  router.get('/openapi.yaml', (_req, res) => {
    if (!deps.openapiFile || !fs.existsSync(deps.openapiFile)) return sendError(res, 404, 'not_found', 'the OpenAPI document is not installed next to this build (shared/openapi.yaml)');
    res.type('application/yaml').send(fs.readFileSync(deps.openapiFile, 'utf8'));
  });

  return router;
}
