import type { Clock } from '../ports/clock';
import type { OrderGateway } from '../ports/order-gateway';

export type ShopCheck =
  | { ok: true; at: number; latencyMs: number }
  | { ok: false; at: number; code: string; message: string; httpStatus?: number };

export interface ShopHealth {
  /** Calls the shop now (one list-orders call with the relay's keys) and remembers the answer. */
  check(): Promise<ShopCheck>;
  /** The last answer, asking again when it is older than `maxAgeMs` (or there is none). */
  current(maxAgeMs: number): Promise<ShopCheck>;
  last(): ShopCheck | null;
}

/** Remembers whether the shop answers with valid keys, for the start-up warning and /readyz. */
export function createShopHealth(gateway: OrderGateway, clock: Clock): ShopHealth {
  let last: ShopCheck | null = null;
  let inFlight: Promise<ShopCheck> | null = null;
  const check = (): Promise<ShopCheck> => {
    inFlight ??= gateway
      .ping()
      .then(
        (result): ShopCheck =>
          result.ok
            ? { ok: true, at: clock.now(), latencyMs: result.value.latencyMs }
            : { ok: false, at: clock.now(), code: result.error.code, message: result.error.message, httpStatus: result.error.httpStatus },
        (error: unknown): ShopCheck => ({ ok: false, at: clock.now(), code: 'internal_error', message: String(error) }),
      )
      .then((answer) => {
        last = answer;
        inFlight = null;
        return answer;
      });
    return inFlight;
  };
  return {
    check,
    current: (maxAgeMs) => (last && clock.now() - last.at < maxAgeMs ? Promise.resolve(last) : check()),
    last: () => last,
  };
}

/** The shop check in words, for the start-up banner and /readyz: keys refused reads differently from no answer. */
export function describeShopProblem(shopUrl: string, check: Extract<ShopCheck, { ok: false }>): string {
  const refused = check.httpStatus === 401 || check.httpStatus === 403;
  return refused
    ? `the shop at ${shopUrl} refused the relay's WooCommerce keys (${check.code}, HTTP ${check.httpStatus}): check WC_CONSUMER_KEY and WC_CONSUMER_SECRET (read/write) and that WC_URL is the site address exactly as WordPress knows it`
    : `the shop at ${shopUrl} cannot be reached (${check.code}): ${check.message}`;
}
