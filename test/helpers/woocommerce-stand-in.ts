import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { currencyExponent, minorToDecimal } from '../../relay/src/domain/money';
import type { Clock } from '../../relay/src/ports/clock';
import { EmulatedShop } from '../../relay/src/demo-shop/emulated-shop';
import { createInMemoryShopStore, type EmulatedNoteRecord, type EmulatedOrderRecord, type EmulatedRefundRecord } from '../../relay/src/demo-shop/emulated-shop-store';
import { woocommerceEmulatorRoutes } from '../../relay/src/demo-shop/woocommerce-emulator';
import { NonceBook } from '../../relay/src/demo-shop/woocommerce-oauth-verifier';

/** What the shop does to one matching request instead of (or around) answering normally. */
export type WooFault =
  | { kind: 'latency'; ms: number }
  /** A JSON error answer; 500 and 503 get WordPress-like bodies unless `body` is given. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** nginx's HTML page when PHP-FPM is down (not JSON). */
  | { kind: 'bad_gateway' }
  | { kind: 'rate_limited'; retryAfter: string | number }
  /** Never answer: the client's timeout fires. */
  | { kind: 'hang' }
  /** Close the connection before answering; nothing was done. */
  | { kind: 'drop' }
  /** Do the work (the write happens), then close the connection instead of answering: the ambiguous failure. */
  | { kind: 'apply_then_drop' }
  /** Do the work, then never answer: the relay is still waiting when it dies (the crash test kills it there). */
  | { kind: 'apply_then_hang' };

export interface FaultRule {
  /** GET, PUT, POST…; any method when absent. */
  method?: string;
  /** Matched against the path below the site, e.g. /wp-json/wc/v3/orders/14/notes. */
  path: RegExp;
  fault: WooFault;
  /** How many matching requests it applies to (default 1). */
  count?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** How the request tried to authenticate. */
  auth: 'oauth' | 'basic' | 'query' | 'none';
  body: unknown;
  /** Status sent, or the fault that replaced the answer. */
  status: number | 'dropped' | 'hung';
  fault?: WooFault['kind'];
  /** When the request arrived and when its answer was sent (the stand-in's clock); benchmarks time the shop with them. */
  at: number;
  finishedAt?: number;
}

export interface StandInOrderInput {
  /** Decimal as WooCommerce shows it ("19.99"), or a number of major units (19.99). */
  total: string | number;
  currency: string;
  status?: string;
  payment_method?: string;
  transaction_id?: string;
}

export interface WooCommerceStandIn {
  /** The site address to give the client (WC_URL). */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  orders: {
    /** Returns the new order's id as a string (what the relay sees as the merchant order id). */
    createOrder(input: StandInOrderInput): string;
    getOrder(id: string | number): EmulatedOrderRecord | null;
    /** The order's REST JSON, exactly as GET orders/{id} would answer. */
    getOrderJson(id: string | number): Record<string, unknown> | null;
    /** Oldest first (unlike the REST list), convenient for assertions. */
    notes(id: string | number): EmulatedNoteRecord[];
    refunds(id: string | number): EmulatedRefundRecord[];
    /** A person changing the order in wp-admin (adds WooCommerce's status note). */
    setStatus(id: string | number, status: string): void;
  };
  faults: {
    add(rule: FaultRule): void;
    clear(): void;
    /** Rules not used up yet. */
    pending(): FaultRule[];
  };
  requests: LoggedRequest[];
  shop: EmulatedShop;
  close(): Promise<void>;
}

export interface WooCommerceStandInOptions {
  /** Defaults to the system clock: the client library stamps OAuth requests with the real time. */
  clock?: Clock;
  consumerKey?: string;
  consumerSecret?: string;
  /**
   * The host name the site believes it has. The default 127.0.0.1 matches `url`; use `localhost` to reproduce the
   * "site URL mismatch" signature failure.
   */
  siteHost?: string;
  firstOrderId?: number;
  /**
   * A shop's PHP capacity: at most `workers` requests are served at once, each costing `costMs` before it is
   * answered; the rest wait in line (like PHP-FPM with 4 children behind nginx). Faults answer without a worker,
   * as nginx does when PHP is down. Unbounded and free when absent.
   */
  capacity?: { workers: number; costMs: number };
}

/**
 * A real HTTP server on 127.0.0.1 that answers like WooCommerce 8.9 (shared emulator with the demo shop), with a
 * request log and fault injection queued per (method, path) rule.
 */
export async function startWooCommerceStandIn(opts: WooCommerceStandInOptions = {}): Promise<WooCommerceStandIn> {
  const clock = opts.clock ?? { now: () => Date.now() };
  const consumerKey = opts.consumerKey ?? `ck_${randomBytes(20).toString('hex')}`;
  const consumerSecret = opts.consumerSecret ?? `cs_${randomBytes(20).toString('hex')}`;
  const rules: Array<FaultRule & { left: number }> = [];
  const requests: LoggedRequest[] = [];
  const hanging = new Set<Response>();

  const app = express();

  app.use((req: Request, res: Response, next: NextFunction) => {
    const query: Record<string, string> = {};
    for (const [k, v] of new URL(req.originalUrl, 'http://stand-in.invalid').searchParams) query[k] = v;
    const entry: LoggedRequest = { method: req.method, path: req.path, query, auth: authKind(req, query), body: undefined, status: 'dropped', at: clock.now() };
    requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.finishedAt = clock.now();
    });
    res.locals.logEntry = entry;
    next();
  });
  app.use(express.json({ type: () => true }), (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error) {
      res.status(400).json({ code: 'rest_invalid_json', message: 'Invalid JSON body passed.', data: { status: 400 } });
      return;
    }
    next();
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const entry = res.locals.logEntry as LoggedRequest;
    entry.body = req.body;
    const rule = rules.find((r) => r.left > 0 && (!r.method || r.method.toUpperCase() === req.method) && r.path.test(req.path));
    if (!rule) return next();
    rule.left -= 1;
    entry.fault = rule.fault.kind;
    applyFault(rule.fault, req, res, next, entry, hanging);
  });
  // The site URL needs the port, which exists only after listen: the emulator is built then.
  let emulator: express.Router | null = null;
  if (opts.capacity) app.use(phpWorkers(opts.capacity.workers, opts.capacity.costMs));
  app.use((req, res, next) => (emulator as express.Router)(req, res, next));

  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const siteUrl = `http://${opts.siteHost ?? '127.0.0.1'}:${port}`;
  const realShop = new EmulatedShop(createInMemoryShopStore({ firstPostId: opts.firstOrderId ?? 14 }), clock, siteUrl);
  emulator = woocommerceEmulatorRoutes({ shop: realShop, credentials: { consumerKey, consumerSecret }, siteUrl, clock, nonces: new NonceBook() });

  const num = (id: string | number) => Number(id);
  return {
    url,
    consumerKey,
    consumerSecret,
    orders: {
      createOrder: (input) => {
        const total = typeof input.total === 'number' ? minorToDecimal(Math.round(input.total * 10 ** currencyExponent(input.currency)), input.currency) : input.total;
        const order = realShop.createOrder({
          total,
          currency: input.currency,
          status: input.status,
          paymentMethod: input.payment_method,
          transactionId: input.transaction_id,
        });
        return String(order.id);
      },
      getOrder: (id) => realShop.getOrder(num(id)),
      getOrderJson: (id) => {
        const order = realShop.getOrder(num(id));
        return order ? realShop.orderJson(order) : null;
      },
      notes: (id) => realShop.notes(num(id)).sort((a, b) => a.id - b.id),
      refunds: (id) => realShop.refunds(num(id)),
      setStatus: (id, status) => {
        const result = realShop.updateOrder(num(id), { status });
        if (!result.ok) throw new Error(`setStatus(${id}, ${status}): ${result.error.body.message}`);
      },
    },
    faults: {
      add: (rule) => void rules.push({ ...rule, left: rule.count ?? 1 }),
      clear: () => void rules.splice(0, rules.length),
      pending: () => rules.filter((r) => r.left > 0).map(({ left, ...rule }) => ({ ...rule, count: left })),
    },
    requests,
    shop: realShop,
    close: async () => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fixed pool of workers: a request holds one for its cost and until it is answered; the others queue. */
function phpWorkers(workers: number, costMs: number): express.RequestHandler {
  let busy = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    busy -= 1;
    const next = waiting.shift();
    if (next) next();
  };
  return (_req, res, next) => {
    const serve = () => {
      busy += 1;
      res.once('close', release);
      setTimeout(next, costMs);
    };
    if (busy < workers) serve();
    else waiting.push(serve);
  };
}

function authKind(req: Request, query: Record<string, string>): LoggedRequest['auth'] {
  if (query.oauth_signature) return 'oauth';
  if (/^Basic /i.test(req.headers.authorization ?? '')) return 'basic';
  if (query.consumer_key) return 'query';
  return 'none';
}

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n';

const STATUS_BODIES: Record<number, unknown> = {
  500: {
    code: 'internal_server_error',
    message: '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/documentation/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>',
    data: { status: 500 },
    additional_errors: [],
  },
  503: { code: 'service_unavailable', message: 'Briefly unavailable for scheduled maintenance. Check back in a minute.', data: { status: 503 } },
};

function applyFault(fault: WooFault, req: Request, res: Response, next: NextFunction, entry: LoggedRequest, hanging: Set<Response>): void {
  switch (fault.kind) {
    case 'latency':
      setTimeout(next, fault.ms);
      return;
    case 'status':
      res.status(fault.status).set(fault.headers ?? {}).json(fault.body ?? STATUS_BODIES[fault.status] ?? { code: `http_${fault.status}`, message: 'Injected failure.', data: { status: fault.status } });
      return;
    case 'bad_gateway':
      res.status(502).type('text/html').send(NGINX_502);
      return;
    case 'rate_limited':
      res
        .status(429)
        .set('Retry-After', String(fault.retryAfter))
        .type('text/html')
        .send('<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n');
      return;
    case 'hang':
      entry.status = 'hung';
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    case 'drop':
      req.socket.destroy();
      return;
    case 'apply_then_drop': {
      // Let the shop do the write, then lose the answer: the client cannot know whether it happened.
      const destroy = () => {
        req.socket.destroy();
        return res;
      };
      res.writeHead = destroy as unknown as Response['writeHead'];
      res.end = destroy as unknown as Response['end'];
      res.write = (() => destroy() && false) as unknown as Response['write'];
      next();
      return;
    }
    case 'apply_then_hang': {
      entry.status = 'hung';
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      const swallow = () => res;
      res.writeHead = swallow as unknown as Response['writeHead'];
      res.end = swallow as unknown as Response['end'];
      res.write = (() => true) as unknown as Response['write'];
      next();
      return;
    }
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${JSON.stringify(never)}`);
    }
  }
}
