import { recorded, startMollieStandIn, type MollieStandIn } from '../helpers/mollie-stand-in';
import { startHarness, type Harness } from '../helpers/relay-harness';

/**
 * Issue 12 item 8: Mollie's classic webhook is an unsigned `id=tr_…` form post anyone can send. Pings collapse
 * into one pending fetch per payment, are rate-limited per payment and overall, and a ping for a payment that
 * is not a session of ours costs no API call. Real relay over HTTP, a Mollie stand-in counting its API calls.
 */
describe('unsigned notifications cannot flood the relay', () => {
  let h: Harness;
  let mollie: MollieStandIn;
  beforeEach(async () => {
    mollie = await startMollieStandIn();
    h = await startHarness({ MOLLIE_API_KEY: 'test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM', MOLLIE_API_BASE: mollie.url });
  });
  afterEach(async () => {
    await h.close();
    await mollie.close();
  });

  const notify = (id: string) => h.post(`id=${id}`, { 'content-type': 'application/x-www-form-urlencoded' }, 'mollie');
  const seedMollieSession = () =>
    h.seed({ provider: 'mollie', providerSessionId: 'tr_44aKxzEbr8', providerPaymentId: 'tr_44aKxzEbr8', amountMinor: 2000, method: 'bank_transfer' });
  const inboxRows = () => (h.sql.get('SELECT COUNT(*) AS n FROM webhook_events') as { n: number }).n;
  /** `total` pings, `concurrency` in flight at once; `between` runs after each wave (the worker, the clock). */
  async function flood(ids: () => string, total: number, concurrency: number, between: (sent: number) => Promise<void>): Promise<Map<number, number>> {
    const statuses = new Map<number, number>();
    for (let sent = 0; sent < total; sent += concurrency) {
      const answers = await Promise.all(Array.from({ length: Math.min(concurrency, total - sent) }, () => notify(ids())));
      for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      await between(sent + concurrency);
    }
    return statuses;
  }

  it('10,000 Mollie pings make a handful of API calls, and the inbox does not grow by 10,000 rows', async () => {
    const session = seedMollieSession();
    mollie.payment = recorded('payment-paid.json');
    // The flood lasts 100 s of relay time; the worker runs ten times during it.
    const statuses = await flood(() => 'tr_44aKxzEbr8', 10_000, 100, async (sent) => {
      h.clock.advance(1000);
      if (sent % 1000 === 0) await h.relay.worker.runOnce();
    });
    await h.drain();

    // Accepted: 5 at once plus one per 10 s; the rest are told to come back later (nothing stored for them).
    expect(statuses.get(200)! + statuses.get(429)!).toBe(10_000);
    expect(statuses.get(200)).toBeLessThanOrEqual(20);
    expect(mollie.gets).toBeGreaterThanOrEqual(1);
    expect(mollie.gets).toBeLessThanOrEqual(10);
    // At most one row per accepted ping (5 at once plus one per 10 s of the 100 s flood), and the payment's own
    // event: how many pings find a fetch still queued depends on when the worker ran, not on how many came.
    expect(inboxRows()).toBeLessThanOrEqual(Math.min(statuses.get(200)!, 15) + 1);
    // And the payment itself is recorded once.
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
    expect(h.ourNotes(session.merchantOrderId)).toHaveLength(1);
  }, 180_000);

  it('pings for payments that are not ours cost no Mollie call each, and the overall rate bounds what is kept', async () => {
    let n = 0;
    const statuses = await flood(() => `tr_flood${(n++).toString(36)}`, 2_000, 100, async () => {
      h.clock.advance(100);
    });
    await h.drain();
    expect(mollie.gets).toBe(0);
    expect(h.relay.stores.outbox.counts().pending).toBe(0);
    expect(inboxRows()).toBe(0);
    // 200 at once, then 50 a second over the 2 s the flood took; the others got 429.
    expect(statuses.get(200)).toBeLessThanOrEqual(200 + 50 * 2 + 1);
    expect(statuses.get(429)).toBeGreaterThan(1500);
    const parked = h.relay.stores.parked.summary(5);
    expect(parked.parked).toBe(statuses.get(200));
  }, 60_000);

  it('a ping while the fetch is queued adds nothing; one after it completed asks again (the payment may have changed)', async () => {
    const session = seedMollieSession();
    expect((await notify('tr_44aKxzEbr8')).body.outcome).toBe('queued');
    expect((await notify('tr_44aKxzEbr8')).body.outcome).toBe('already_queued');
    await h.drain();
    expect(mollie.gets).toBe(1);
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('created');

    mollie.payment = recorded('payment-paid.json');
    h.clock.advance(60_000);
    expect((await notify('tr_44aKxzEbr8')).body.outcome).toBe('queued');
    await h.drain();
    expect(mollie.gets).toBe(2);
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
  });

  it('a ping while the fetch is running makes it ask once more afterwards, and no more', async () => {
    const session = seedMollieSession();
    await notify('tr_44aKxzEbr8');
    // Mollie answered "open" to the running fetch, then the payment was paid and Mollie pinged again (twice).
    mollie.onGet = async () => {
      mollie.onGet = null;
      expect((await notify('tr_44aKxzEbr8')).body.outcome).toBe('rerun_requested');
      expect((await notify('tr_44aKxzEbr8')).body.outcome).toBe('rerun_requested');
      setTimeout(() => (mollie.payment = recorded('payment-paid.json')), 0);
    };
    await h.drain();
    expect(mollie.gets).toBe(2);
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
    expect(h.relay.stores.outbox.counts().pending).toBe(0);
  });
});
