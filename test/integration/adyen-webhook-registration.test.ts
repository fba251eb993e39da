import fs from 'node:fs';
import path from 'node:path';
import { signShopRequest } from '../../relay/src/http/request-signature';
import { ADYEN_HANDLED_EVENT_CODES } from '../../relay/src/providers/adyen/adyen-status-map';
import { startAdyenManagementStandIn, type ApiStandIn } from '../helpers/provider-api-stand-ins';
import { PROVIDER_FIXTURES, signedAdyenNotification } from '../helpers/provider-signers';
import { SHOP_SECRET, startHarness, type Harness } from '../helpers/relay-harness';

type Management = Awaited<ReturnType<typeof startAdyenManagementStandIn>> & ApiStandIn;

const authorisation = JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'adyen', 'notifications', 'openapi-examples', 'AUTHORISATION.json'), 'utf8')).notificationItems[0].NotificationRequestItem;

/**
 * Adyen's webhook registered for the merchant by providers:connect through the Management API stand-in: the relay's
 * standard webhook with the event codes it handles, an HMAC key generated and kept (no ADYEN_HMAC_KEY needed), other
 * webhooks reported, rotation with a grace period for the old key.
 */
describe('providers:connect at Adyen (Management API v3, merchant-level webhooks)', () => {
  let h: Harness;
  let management: Management;
  beforeEach(async () => {
    management = await startAdyenManagementStandIn('PayrelayShop_ECOM');
    // No ADYEN_HMAC_KEY: the key comes from connect.
    h = await startHarness({ ADYEN_API_KEY: 'AQE_checkout_key', ADYEN_MERCHANT_ACCOUNT: 'PayrelayShop_ECOM', ADYEN_API_BASE: 'http://127.0.0.1:9', ADYEN_MANAGEMENT_API_KEY: 'AQE_management_key', ADYEN_MANAGEMENT_API_BASE: management.url });
  });
  afterEach(async () => {
    await h.close();
    await management.close();
  });

  async function connect(body: Record<string, unknown> = {}) {
    const raw = JSON.stringify(body);
    const timestamp = Math.floor(h.clock.now() / 1000);
    const response = await fetch(`${h.relay.url}/v1/providers/connect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-payrelay-timestamp': String(timestamp), 'x-payrelay-signature': signShopRequest(SHOP_SECRET, timestamp, 'POST', '/v1/providers/connect', raw) },
      body: raw,
    });
    const answer = { status: response.status, body: (await response.json()) as any };
    return { ...answer, adyen: answer.body.providers?.find((p: any) => p.provider === 'adyen') };
  }

  const ourUrl = () => `${h.relay.url}/webhooks/adyen`;
  const ours = () => management.webhooks.filter((w) => w.url === ourUrl());
  /** A notification signed with `key`, as Adyen sends it; the relay answers 200 only when the key is one it keeps. */
  const deliver = (key: string) => h.post(signedAdyenNotification([{ ...authorisation, merchantAccountCode: 'PayrelayShop_ECOM', pspReference: 'PSP00000000CONN1' }], { key }).toString(), {}, 'adyen');

  it('creates the standard webhook with the handled event codes, reports a stale staging webhook, and its generated key verifies at once', async () => {
    management.addWebhook('https://staging.shop.example/webhooks/adyen');
    expect((await deliver('AB'.repeat(32))).status).toBe(401);

    const answer = await connect();
    expect(answer.status).toBe(200);
    expect(answer.adyen).toMatchObject({ action: 'created', url: ourUrl(), elsewhere: [expect.objectContaining({ url: 'https://staging.shop.example/webhooks/adyen' })], duplicates: [] });
    expect(ours()).toHaveLength(1);
    const created = ours()[0]!;
    expect(created).toMatchObject({ type: 'standard', active: true, communicationFormat: 'json' });
    expect([...created.additionalSettings.includeEventCodes].sort()).toEqual([...ADYEN_HANDLED_EVENT_CODES].sort());
    expect(answer.body.summary.join('\n')).toMatch(/staging\.shop\.example.*stale staging URL/);

    const key = management.keys.get(created.id)!;
    expect(key).toMatch(/^[0-9A-F]{64}$/);
    // The key is kept, never shown.
    expect(JSON.stringify(answer.body)).not.toContain(key);
    expect(await deliver(key)).toEqual({ status: 200, body: '[accepted]' });
    expect((await deliver('CD'.repeat(32))).status).toBe(401);
  });

  it('run again: unchanged and no new key; a webhook trimmed or switched off in the Customer Area is put back', async () => {
    await connect();
    const id = ours()[0]!.id;
    const key = management.keys.get(id)!;
    expect((await connect()).adyen).toMatchObject({ action: 'unchanged', endpointId: id, warnings: [] });
    expect(management.keys.get(id)).toBe(key);

    Object.assign(ours()[0]!, { active: false, additionalSettings: { includeEventCodes: ['AUTHORISATION'] } });
    expect((await connect()).adyen).toMatchObject({ action: 'updated', endpointId: id });
    expect(ours()[0]).toMatchObject({ active: true });
    expect(ours()[0]!.additionalSettings.includeEventCodes).toHaveLength(ADYEN_HANDLED_EVENT_CODES.length);
    expect((await deliver(key)).status).toBe(200);
  });

  it('a webhook for our URL whose key the relay does not know gets a new key (said so); a second one is a duplicate', async () => {
    const existing = management.addWebhook(ourUrl(), { additionalSettings: { includeEventCodes: [...ADYEN_HANDLED_EVENT_CODES] } });
    const duplicate = management.addWebhook(ourUrl());
    const answer = await connect();
    expect(answer.adyen).toMatchObject({ endpointId: existing.id, duplicates: [expect.objectContaining({ id: duplicate.id })], warnings: [expect.stringContaining('its HMAC key was not known to this relay, so a new key was generated')] });
    expect(answer.body.summary.join('\n')).toContain(`Duplicate endpoint ${duplicate.id} for the same URL`);
    expect((await deliver(management.keys.get(existing.id)!)).status).toBe(200);
  });

  it('rotation: a new key verifies at once, the old one keeps verifying for the grace period, then not', async () => {
    await connect();
    const id = ours()[0]!.id;
    const first = management.keys.get(id)!;
    expect((await connect({ rotate: true })).adyen).toMatchObject({ action: 'rotated', endpointId: id });
    const second = management.keys.get(id)!;
    expect(second).not.toBe(first);

    expect((await deliver(second)).status).toBe(200);
    expect((await deliver(first)).status).toBe(200);
    h.clock.advance(25 * 3600_000);
    expect((await deliver(first)).status).toBe(401);
    expect((await deliver(second)).status).toBe(200);
  });

  it('a Management API that fails is reported with its reason, and nothing is stored', async () => {
    management.fail({ kind: 'server_error' });
    expect((await connect()).adyen).toMatchObject({ action: 'failed', message: expect.stringContaining('Adyen') });
    expect(ours()).toHaveLength(0);
    expect((await deliver('AB'.repeat(32))).status).toBe(401);
  });
});
