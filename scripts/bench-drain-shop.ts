/**
 * The shop of `npm run bench:drain`, in its own process so its CPU is not the relay's or the client's: the
 * WooCommerce stand-in with a PHP-like capacity (BENCH_SHOP_WORKERS requests at once, BENCH_SHOP_COST_MS each),
 * driven over IPC by scripts/bench-drain.ts. It times everything itself, on its own clock.
 */
import { startWooCommerceStandIn, type LoggedRequest } from '../test/helpers/woocommerce-stand-in';

export type ShopCommand =
  | { cmd: 'orders'; count: number }
  | { cmd: 'down' }
  /** Back up (or, for the plain client, "start counting now"): requests before this are not in the next report. */
  | { cmd: 'up' }
  /** Answers once every listed order is processing with one of its notes carrying a Payrelay ref. */
  | { cmd: 'watch'; orders: string[] };

export interface DrainReport {
  upAt: number;
  /** The first request the shop served after `up` (a probe, a read or a write). */
  firstRequestAt: number;
  /** The first write (PUT or POST) that the shop finished after `up`. */
  firstWriteAt: number;
  lastWriteAt: number;
  /** Served requests after `up`, by kind: "GET orders/{id}", "GET orders (list)", "PUT orders/{id}", … */
  requests: Record<string, number>;
  /** Answered 502 by "nginx" while the shop was down. */
  refusedWhileDown: number;
}

const workers = Number(process.env.BENCH_SHOP_WORKERS ?? 4);
const costMs = Number(process.env.BENCH_SHOP_COST_MS ?? 100);

function kindOf(request: LoggedRequest): string {
  const path = request.path.replace(/^\/wp-json\/wc\/v3\//, '').replace(/\/\d+/g, '/{id}');
  return `${request.method} ${path === 'orders' ? 'orders (list)' : path}`;
}

const isWrite = (request: LoggedRequest) => request.method !== 'GET' && typeof request.status === 'number' && request.status < 300;

void startWooCommerceStandIn({ capacity: { workers, costMs } }).then((shop) => {
  let since = 0;
  let upAt = 0;
  let refusedWhileDown = 0;
  const send = (id: number, value: unknown) => process.send!({ id, value });
  const written = (order: string) =>
    shop.orders.getOrder(order)?.status === 'processing' && shop.orders.notes(order).some((note) => note.note.includes('[Payrelay ref '));
  const report = (): DrainReport => {
    const served = shop.requests.slice(since).filter((r) => r.fault === undefined);
    const writes = served.filter(isWrite).map((r) => r.finishedAt ?? r.at);
    const requests: Record<string, number> = {};
    for (const r of served) requests[kindOf(r)] = (requests[kindOf(r)] ?? 0) + 1;
    return { upAt, firstRequestAt: served[0]?.at ?? upAt, firstWriteAt: Math.min(...writes), lastWriteAt: Math.max(...writes), requests, refusedWhileDown };
  };
  process.on('message', (message: { id: number } & ShopCommand) => {
    switch (message.cmd) {
      case 'orders':
        send(message.id, Array.from({ length: message.count }, () => shop.orders.createOrder({ total: '19.99', currency: 'EUR', payment_method: 'payrelay' })));
        return;
      case 'down':
        shop.faults.add({ path: /./, fault: { kind: 'bad_gateway' }, count: Number.MAX_SAFE_INTEGER });
        send(message.id, null);
        return;
      case 'up':
        refusedWhileDown = shop.requests.slice(since).filter((r) => r.fault === 'bad_gateway').length;
        shop.faults.clear();
        since = shop.requests.length;
        upAt = Date.now();
        send(message.id, upAt);
        return;
      case 'watch': {
        const left = new Set(message.orders);
        const poll = setInterval(() => {
          for (const order of left) if (written(order)) left.delete(order);
          if (left.size > 0) return;
          clearInterval(poll);
          send(message.id, report());
        }, 20);
        return;
      }
    }
  });
  process.send!({ id: 0, value: { url: shop.url, consumerKey: shop.consumerKey, consumerSecret: shop.consumerSecret, workers, costMs } });
});
