import { signShopRequest } from '../../relay/src/http/request-signature';
import { SHOP_SECRET, startHarness, type Harness } from '../helpers/relay-harness';

/**
 * Webhook alarms through the real relay: real webhook requests, the SQLite file, GET /v1/alerts as the plugin reads
 * it. The alarm pass runs on a timer in production; here the test runs it after moving the clock.
 */
describe('webhook alarms', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  /** The open-alert gauge lines of /metrics, e.g. `payrelay_open_alerts{code="dead_letters",provider="shop"} 1`. */
  async function alertGauge(): Promise<string[]> {
    const text = await (await fetch(`${h.relay.url}/metrics`)).text();
    return text.split('\n').filter((line) => line.startsWith('payrelay_open_alerts{'));
  }

  async function openAlerts(): Promise<Array<{ code: string; message: string }>> {
    const timestamp = Math.floor(h.clock.now() / 1000);
    const response = await fetch(`${h.relay.url}/v1/alerts`, {
      headers: { 'x-payrelay-timestamp': String(timestamp), 'x-payrelay-signature': signShopRequest(SHOP_SECRET, timestamp, 'GET', '/v1/alerts', '') },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { alerts: Array<{ code: string; message: string }> }).alerts;
  }

  test('20 bad signatures in a minute: one alert with what to do, raised once, cleared when a good webhook arrives', async () => {
    for (let i = 0; i < 20; i += 1) {
      expect((await h.post(JSON.stringify({ id: `evt_${i}` }), { 'payrelay-sandbox-signature': `t=${Math.floor(h.clock.now() / 1000)},v1=${'0'.repeat(64)}` })).status).toBe(401);
    }
    expect(h.relay.runAlarms().raised).toEqual(['webhook_bad_signatures:sandbox']);
    expect(h.relay.runAlarms().raised).toEqual([]);
    const alerts = await openAlerts();
    expect(alerts.filter((a) => a.code === 'webhook_bad_signatures')).toHaveLength(1);
    expect(alerts[0].message).toContain("The signing secret in the relay does not match the provider's; after a rotation paste the new one");
    expect(await alertGauge()).toEqual(['payrelay_open_alerts{code="webhook_bad_signatures",provider="sandbox"} 1']);

    h.clock.advance(1000);
    expect((await h.send(h.seed(), 'paid')).status).toBe(200);
    expect(h.relay.runAlarms().cleared).toEqual(['webhook_bad_signatures:sandbox']);
    expect((await openAlerts()).filter((a) => a.code === 'webhook_bad_signatures')).toEqual([]);
    expect(await alertGauge()).toEqual([]);
  });

  test('sessions with no webhook back within the usual time: one alert, cleared by the first webhook', async () => {
    const sessions = [h.seed(), h.seed(), h.seed()];
    expect(h.relay.runAlarms().raised).toEqual([]);
    h.clock.advance(31 * 60_000);
    expect(h.relay.runAlarms().raised).toEqual(['webhooks_missing:sandbox']);
    expect(h.relay.runAlarms().raised).toEqual([]);
    expect((await openAlerts()).find((a) => a.code === 'webhooks_missing')?.message).toMatch(/not registered .*\/webhooks\/sandbox/);

    expect((await h.send(sessions[0], 'paid')).status).toBe(200);
    expect(h.relay.runAlarms().cleared).toEqual(['webhooks_missing:sandbox']);
  });

  test("a provider's retries piling up (deliveries refused as stale): one alert naming the cause", async () => {
    for (let i = 0; i < 10; i += 1) {
      const body = JSON.stringify({ id: `evt_old_${i}` });
      // Signed correctly but an hour ago: refused as stale, and the provider will retry.
      const { signSandboxEvent } = await import('../../relay/src/providers/sandbox/sandbox-signature');
      expect((await h.post(body, { 'payrelay-sandbox-signature': signSandboxEvent('sandbox_test_secret_for_integration', body, h.clock.now() - 3_600_000) })).status).toBe(401);
    }
    expect(h.relay.runAlarms().raised).toEqual(['webhook_retries:sandbox']);
    expect((await openAlerts()).find((a) => a.code === 'webhook_retries')?.message).toContain('clock');
    h.clock.advance(11 * 60_000);
    expect(h.relay.runAlarms().cleared).toEqual(['webhook_retries:sandbox']);
  });

  test('dead letters: one alert for the shop, cleared when none is left in the last day', async () => {
    const session = h.seed();
    h.shop.faults.add({ path: /orders/, fault: { kind: 'status', status: 400, body: { code: 'woocommerce_rest_invalid_param', message: 'Invalid parameter(s): status', data: { status: 400 } } }, count: 1 });
    await h.send(session, 'paid');
    await h.drain();
    expect(h.relay.stores.outbox.counts().dead).toBe(1);
    expect(h.relay.runAlarms().raised).toEqual(['dead_letters:shop']);
    expect(h.relay.runAlarms().raised).toEqual([]);
    // The shop alarm, and the per-order alert the worker raised for the write it gave up (a sandbox session's).
    expect(await alertGauge()).toEqual(['payrelay_open_alerts{code="dead_letter",provider="sandbox"} 1', 'payrelay_open_alerts{code="dead_letters",provider="shop"} 1']);
    h.clock.advance(24 * 3_600_000 + 1);
    expect(h.relay.runAlarms().cleared).toEqual(['dead_letters:shop']);
    expect(await alertGauge()).toEqual(['payrelay_open_alerts{code="dead_letter",provider="sandbox"} 1']);
  });
});
