import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';
import { aSandboxEvent } from '../helpers/builders';
import { SANDBOX_SECRET, startHarness, type Harness } from '../helpers/relay-harness';
import { sendSandboxWebhook, startShopsRelay } from '../helpers/shops-relay';
import { TEST_STORE } from '../helpers/test-store';

/**
 * PostgreSQL's webhook path with its transactions in the recorder process (adapters/recorder-process/): answered
 * only after COMMIT, and stored once however the same event arrives at once. PostgreSQL pass only.
 */
(TEST_STORE === 'postgres' ? describe : describe.skip)('webhooks recorded on PostgreSQL by the recorder process', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const signed = (event: { id: string }) => {
    const body = JSON.stringify(event);
    return { eventId: event.id, body, headers: { 'payrelay-sandbox-signature': signSandboxEvent(SANDBOX_SECRET, body, h.clock.now()) } };
  };

  it('answers 2xx only after COMMIT: another connection sees the inbox row when the 200 arrives', async () => {
    // A deferred constraint trigger runs inside COMMIT: every COMMIT that stored an event now takes 400 ms, so an
    // answer sent before its COMMIT returned would arrive while the row is still invisible to other connections.
    h.sql.run(`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NULL; END $$`);
    h.sql.run('CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON webhook_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()');
    // Several at once, so they share a group commit.
    const deliveries = [h.seed(), h.seed(), h.seed()].map((session) => signed(aSandboxEvent(session, 'paid', h.clock.now())));
    const observed = await Promise.all(
      deliveries.map(async ({ eventId, body, headers }) => {
        const sent = Date.now();
        const answer = await h.post(body, headers);
        const rows = h.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM webhook_events WHERE event_id = ?', eventId)!.n;
        return { status: answer.status, rows, waited: Date.now() - sent };
      }),
    );
    expect(observed.map(({ status, rows }) => ({ status, rows }))).toEqual(deliveries.map(() => ({ status: 200, rows: 1 })));
    // The slow COMMIT was really in the way (without the trigger this test would prove nothing).
    for (const { waited } of observed) expect(waited).toBeGreaterThanOrEqual(380);
  });

  it('a recorder whose database connection was cut (idle_session_timeout, a proxy, a DBA) is started again: the webhook that met the cut gets 503, the provider\'s retry is stored', async () => {
    expect((await h.send(h.seed(), 'paid')).status).toBe(200);
    // The recorder's connection says whose it is in pg_stat_activity; the relay's own connection is not touched.
    const cut = h.sql.get<{ n: number }>('SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = ?', `payrelay recorder (relay pid ${process.pid})`);
    expect(cut).toEqual({ n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const session = h.seed();
    const delivery = signed(aSandboxEvent(session, 'paid', h.clock.now()));
    const answers: number[] = [];
    // The provider retries (here every 200 ms, for at most 25 s: starting the recorder again takes ~2 s on busy cores).
    const retryUntil = Date.now() + 25_000;
    while (answers.at(-1) !== 200 && Date.now() < retryUntil) {
      answers.push((await h.post(delivery.body, delivery.headers)).status);
      if (answers.at(-1) !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(answers[0]).toBe(503);
    expect(answers.at(-1)).toBe(200);
    expect(h.sql.get('SELECT COUNT(*) AS n FROM webhook_events WHERE event_id = ?', delivery.eventId)).toEqual({ n: 1 });
    expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
  }, 45_000);

  it("a registered shop's webhooks are recorded in that shop's schema, and its order is written", async () => {
    // The default: a recorder process for the environment shop and one for each registered shop.
    const relay = await startShopsRelay([{ id: 'alpha' }], { env: { PAYRELAY_INGEST_THREAD: '1' } });
    try {
      const alpha = relay.shop('alpha');
      const session = alpha.seed();
      const answer = await sendSandboxWebhook(relay.url, '/webhooks/alpha/sandbox', alpha.sandboxSecret, session, 'paid');
      expect(answer.status).toBe(200);
      expect((answer.body as { results: Array<{ outcome: string }> }).results[0].outcome).toBe('applied');
      expect(alpha.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 1 });
      expect(relay.env.sql.get('SELECT COUNT(*) AS n FROM webhook_events')).toEqual({ n: 0 });
      expect(relay.env.sql.get('SELECT COUNT(*) AS n FROM parked_events')).toEqual({ n: 0 });
      await alpha.relay.worker.runOnce();
      expect(alpha.woo.orders.getOrder(session.merchantOrderId)?.status).toBe('processing');
    } finally {
      await relay.close();
    }
  });

  it('a duplicate delivered at once to the same relay and to a second relay on the database is stored once', async () => {
    const other = await startHarness({ PAYRELAY_DATABASE_URL: h.databaseUrl! });
    try {
      const sessions = [h.seed(), h.seed(), h.seed(), h.seed()];
      const events = sessions.map((session) => signed(aSandboxEvent(session, 'paid', h.clock.now())));
      // Each event three times to each relay, all in flight together.
      const answers = await Promise.all(
        events.flatMap(({ eventId, body, headers }) => [h, h, h, other, other, other].map(async (relay) => ({ eventId, answer: await relay.post(body, headers) }))),
      );
      expect(answers.map(({ answer }) => answer.status)).toEqual(answers.map(() => 200));
      for (const [index, { eventId }] of events.entries()) {
        const outcomes = answers.filter((a) => a.eventId === eventId).map(({ answer }) => answer.body.results[0].outcome as string);
        expect(outcomes.sort()).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
        const session = sessions[index];
        expect(h.sql.get('SELECT COUNT(*) AS n FROM webhook_events WHERE event_id = ?', eventId)).toEqual({ n: 1 });
        expect(h.sql.get("SELECT COUNT(*) AS n FROM payment_log WHERE session_id = ? AND kind = 'webhook_received'", session.id)).toEqual({ n: 1 });
        expect(h.sql.get("SELECT COUNT(*) AS n FROM outbox WHERE order_key = ? AND kind = 'order_write'", session.merchantOrderId)).toEqual({ n: 1 });
        expect(h.relay.stores.sessions.get(session.id)!.status).toBe('paid');
      }
    } finally {
      await other.close();
    }
  });
});
