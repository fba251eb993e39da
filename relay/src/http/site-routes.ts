import express, { type Router } from 'express';
import { checkRequestingSite } from '../domain/site-identity';
import type { Clock } from '../ports/clock';
import { sendError } from './send-error';
import { requireShopSignature } from './shop-auth';

export interface SiteRouteDeps {
  shopSecret: string;
  clock: Clock;
  maxBodyBytes: number;
  /** WC_URL, or the demo shop's address in sandbox mode. */
  servedSiteUrl: string;
}

/**
 * POST /v1/site-check {site_url}: the plugin's settings and diagnostics ask whether this relay serves them, so a
 * staging copy's admin reads "this relay serves https://shop.example; this site is https://staging.shop.example"
 * before a customer on the copy is refused at checkout. Signed like every shop request; answers 200 either way
 * (the question was fine), with `ok: false` and the sentence when the sites differ.
 */
export function siteRoutes(deps: SiteRouteDeps): Router {
  const router = express.Router();
  router.post('/v1/site-check', ...requireShopSignature(deps.shopSecret, deps.clock, deps.maxBodyBytes), (req, res) => {
    const given = req.body && typeof req.body === 'object' ? req.body.site_url : undefined;
    if (given !== undefined && typeof given !== 'string') return sendError(res, 400, 'invalid_request', '"site_url" must be a string');
    const check = checkRequestingSite(deps.servedSiteUrl, given);
    res.json(check.ok ? { ok: true, served_url: deps.servedSiteUrl } : { ok: false, served_url: deps.servedSiteUrl, code: check.code, message: check.message });
  });
  return router;
}
