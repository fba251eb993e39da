import { startShopsRelay, sendSandboxWebhook, type ShopsRelay, type TestShop } from '../helpers/shops-relay';

const BACKLOG = 20;

/** Waits (without moving any clock) until `done` holds; the limit only stops a broken run. */
async function until(done: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const stop = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > stop) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function payBacklog(relay: ShopsRelay, shop: TestShop, count: number): Promise<string[]> {
  const orders: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const session = shop.seed();
    orders.push(session.merchantOrderId);
    const answer = await sendSandboxWebhook(relay.url, `/webhooks/${shop.id}/sandbox`, shop.sandboxSecret, session, 'paid');
    expect(answer.status).toBe(200);
  }
  return orders;
}

/**
 * Three shops on one relay with the worker running on the real clock: one shop down (its WooCommerce never
 * answers, a backlog waiting), one with revoked keys (401 on every write, a backlog too), one healthy. The healthy
 * shop's payment is written while the down shop's first write is still hanging: no shop's writes wait for another's.
 */
describe('per-shop fairness: one shop down or with bad keys does not delay another shop', () => {
  let relay: ShopsRelay;

  beforeEach(async () => {
    relay = await startShopsRelay(
      [{ id: 'down', settings: { WC_TIMEOUT_MS: '10000' } }, { id: 'revoked', badKeys: true }, { id: 'healthy' }],
      { background: true, env: { PAYRELAY_WORKER_POLL_MS: '20' } },
    );
  });
  afterEach(() => relay.close());

  test("the healthy shop's write lands while the down shop's backlog hangs and the revoked shop's is refused", async () => {
    const down = relay.shop('down');
    const revoked = relay.shop('revoked');
    const healthy = relay.shop('healthy');
    down.woo.faults.add({ path: /.*/, fault: { kind: 'hang' }, count: 10_000 });

    const downOrders = await payBacklog(relay, down, BACKLOG);
    const revokedOrders = await payBacklog(relay, revoked, BACKLOG);
    // Both backlogs are being worked on before the healthy shop's payment arrives.
    await until(() => down.woo.requests.length > 0, 'the down shop is being asked');
    await until(() => revoked.woo.requests.some((r) => r.status === 401), 'the revoked shop answered 401');

    const [paidAtHealthy] = await payBacklog(relay, healthy, 1);
    const noted = () => healthy.woo.orders.notes(paidAtHealthy).some((n) => n.note.includes('[Payrelay ref'));
    // Its command done too: the worker records the outcome after the shop's answer to the note, a moment later.
    const healthyDone = () => healthy.relay.stores.outbox.counts().pending === 0;
    await until(() => healthy.woo.orders.getOrder(paidAtHealthy)?.status === 'processing' && noted() && healthyDone(), "the healthy shop's order is processing, with its note, its command done");

    // Written while every request to the down shop was still unanswered (its 10 s timeout had not run out)…
    expect(down.woo.requests.every((r) => r.status === 'hung')).toBe(true);
    // …and nothing of the others' backlogs was lost or written: it waits in their own outboxes.
    expect(downOrders.every((id) => down.woo.orders.getOrder(id)?.status === 'pending')).toBe(true);
    expect(revokedOrders.every((id) => revoked.woo.orders.getOrder(id)?.status === 'pending')).toBe(true);
    const waiting = (shop: TestShop) => shop.sql.get<{ n: number }>("SELECT COUNT(DISTINCT order_key) AS n FROM outbox WHERE state IN ('pending', 'dead')")!;
    expect(waiting(down).n).toBe(BACKLOG);
    expect(waiting(revoked).n).toBe(BACKLOG);
    expect(healthy.relay.stores.outbox.counts()).toMatchObject({ pending: 0 });
  });
});
