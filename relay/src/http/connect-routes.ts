import express, { type Router } from 'express';
import { connectWebhooks, describeConnect, type ConnectDeps } from '../app/connect-webhooks';
import { asyncRoute } from './error-handler';
import { requireShopSignature } from './shop-auth';

export interface ConnectRouteDeps extends Omit<ConnectDeps, 'publicUrl'> {
  publicUrl: () => string;
  shopSecret: string;
  maxBodyBytes: number;
}

/** POST /v1/providers/connect: the plugin's "Connect webhooks" button (signed). `{"rotate": true}` rotates secrets. */
export function connectRoutes(deps: ConnectRouteDeps): Router {
  const router = express.Router();
  const signed = requireShopSignature(deps.shopSecret, deps.clock, deps.maxBodyBytes);
  router.post('/v1/providers/connect', ...signed, asyncRoute(async (req, res) => {
    const rotate = typeof req.body === 'object' && req.body !== null && (req.body as { rotate?: unknown }).rotate === true;
    const outcomes = await connectWebhooks({ ...deps, publicUrl: deps.publicUrl() }, { rotate });
    res.json({ providers: outcomes, summary: describeConnect(outcomes) });
  }));
  return router;
}
