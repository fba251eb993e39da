import express from 'express';
import Joi from 'joi';
import { registerShop, summarise } from '../app/register-shop';
import type { RelayConfig } from '../config/config-schema';
import type { Clock } from '../ports/clock';
import type { ShopRegistry } from '../ports/shop-registry';
import { hasBearerToken } from './token-guard';
import { sendError } from './send-error';

export const SHOP_ADMIN_PATH = '/admin/api/shops';

export interface ShopAdminDeps {
  /** The main database's registry (on PostgreSQL the fleet's: every relay serves what any relay added). */
  registry: ShopRegistry;
  relay: { env: NodeJS.ProcessEnv; config: Readonly<RelayConfig> };
  clock: Clock;
  publicUrl: () => string;
  state: (id: string) => { serving: boolean; problem: string | null };
  /** Start or stop shops now, instead of at the next registry poll. */
  sync: () => Promise<unknown>;
}

const newShop = Joi.object({
  id: Joi.string().required(),
  settings: Joi.object().pattern(/^[A-Z0-9_]+$/, Joi.string().allow('')).required(),
}).required();

/**
 * The shops registry over HTTP for the relay's operator (what npm run shops:add/list/remove do), behind
 * `Authorization: Bearer <PAYRELAY_ADMIN_TOKEN>` and only with a token: it takes secrets, so "this machine only"
 * is not enough. Answers never carry a secret or key, only which settings are set.
 */
export function shopAdminRoutes(deps: ShopAdminDeps): express.Router {
  const router = express.Router();
  router.use(SHOP_ADMIN_PATH, (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    const token = deps.relay.config.adminToken;
    if (!token) return sendError(res, 403, 'forbidden', 'the shops API needs PAYRELAY_ADMIN_TOKEN set, sent as "Authorization: Bearer <token>"');
    if (!hasBearerToken(req, token)) return sendError(res, 401, 'unauthorized', 'send "Authorization: Bearer <PAYRELAY_ADMIN_TOKEN>"');
    next();
  });
  const view = (shop: ReturnType<typeof summarise>) => {
    const state = deps.state(shop.id);
    return {
      id: shop.id,
      wc_url: shop.wcUrl,
      settings: shop.settingNames,
      created_at: new Date(shop.createdAt).toISOString(),
      serving: state.serving,
      ...(state.problem ? { problem: state.problem } : {}),
      webhooks_url: `${deps.publicUrl()}/webhooks/${shop.id}/{provider}`,
    };
  };

  router.get(SHOP_ADMIN_PATH, (_req, res) => {
    res.json({ shops: deps.registry.list().map(summarise).map(view) });
  });

  router.post(SHOP_ADMIN_PATH, express.json({ limit: '32kb' }), async (req, res, next) => {
    const { value, error } = newShop.validate(req.body, { abortEarly: false });
    if (error) return sendError(res, 400, 'invalid_request', 'the shop is not valid', error.details.map((d) => d.message));
    const added = registerShop(deps.registry, { id: value.id, settings: value.settings }, deps.relay, deps.clock.now());
    if (!added.ok) return sendError(res, 400, 'invalid_shop', `the shop was not added, ${added.error.length} problem(s)`, added.error);
    try {
      await deps.sync();
    } catch (failure) {
      return next(failure);
    }
    res.status(201).json(view(added.value));
  });

  router.delete(`${SHOP_ADMIN_PATH}/:id`, async (req, res, next) => {
    if (!deps.registry.remove(req.params.id)) return sendError(res, 404, 'not_found', 'no such shop is registered');
    try {
      await deps.sync();
    } catch (failure) {
      return next(failure);
    }
    res.json({ id: req.params.id, removed: true });
  });

  return router;
}
