import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { PaymentProvider, VerifiedWebhook, WebhookHeaders } from '../../../relay/src/ports/payment-provider';
import { AdyenProvider } from '../../../relay/src/providers/adyen/adyen-provider';
import { CoinbaseCommerceProvider } from '../../../relay/src/providers/coinbase-commerce/coinbase-commerce-provider';
import { MollieProvider } from '../../../relay/src/providers/mollie/mollie-provider';
import { SandboxProvider } from '../../../relay/src/providers/sandbox/sandbox-provider';
import { SqliteSandboxLedger } from '../../../relay/src/providers/sandbox/sqlite-sandbox-ledger';
import { StripeProvider } from '../../../relay/src/providers/stripe/stripe-provider';
import { PaypalCertificateCache } from '../../../relay/src/providers/paypal/paypal-certificates';
import { PaypalProvider } from '../../../relay/src/providers/paypal/paypal-provider';
import { ADYEN_TEST_HMAC_KEY, COINBASE_TEST_SECRET, signCoinbase, PAYPAL_TEST_CHAIN, PROVIDER_FIXTURES, signedAdyenNotification, signMollie, signPaypal, signSandbox, signStripe } from '../../helpers/provider-signers';

const NOW = 1_700_000_000_000;
const clock = { now: () => NOW };
const fixture = (...parts: string[]) => fs.readFileSync(path.join(PROVIDER_FIXTURES, ...parts));

/** One adapter as the contract sees it: how to sign, what a good body gives, what an unknown type looks like. */
interface Harness {
  name: string;
  provider: PaymentProvider;
  sign(body: Buffer, nowMs: number): WebhookHeaders;
  validBody: Buffer;
  expectValid(result: VerifiedWebhook): void;
  unknownTypeBody: Buffer;
  /** Only schemes with a timestamp have a replay window. */
  hasClock: boolean;
  /**
   * Schemes that sign inside the body (Adyen: each item, over some fields) cannot be tampered at a random byte
   * or re-signed through headers: they give their own tampered, other-key and unsigned bodies.
   */
  inBody?: { tampered: Buffer; otherKey: Buffer; unsigned: Buffer };
  /** Headers as if signed with another secret or key; by default a hex signature is swapped for another. */
  forge?(body: Buffer, nowMs: number): WebhookHeaders;
}

function sandboxBody(type: string): Buffer {
  return Buffer.from(
    JSON.stringify({ id: 'sbx_evt_contract', type, session_id: 'ps_contract', payment_id: 'sbx_pay_ps_contract', amount: 1250, currency: 'EUR', livemode: false, created: NOW / 1000 }),
  );
}

const adyenItem = (eventCode: string): Record<string, unknown> => ({
  ...JSON.parse(fixture('adyen', 'notifications', 'openapi-examples', 'AUTHORISATION.json').toString()).notificationItems[0].NotificationRequestItem,
  eventCode,
  merchantReference: 'ps_contract',
  additionalData: {},
});
const adyenBody = (eventCode: string) => signedAdyenNotification([adyenItem(eventCode)]);

const harnesses: Harness[] = [
  {
    name: 'stripe',
    provider: new StripeProvider({ secretKey: null, webhookSecrets: ['whsec_contract'], apiBase: 'http://stripe.invalid', toleranceSeconds: 300 }, { clock }),
    sign: (body, now) => signStripe('whsec_contract', body, now),
    validBody: fixture('stripe', 'events', 'composed-from-openapi-fixtures', 'checkout.session.completed.json'),
    expectValid: (result) => expect(result).toEqual({ kind: 'events', events: [expect.objectContaining({ provider: 'stripe', eventId: 'evt_composed_cs_completed', status: 'paid' })] }),
    unknownTypeBody: fixture('stripe', 'events', 'community-stripe-ruby-mock', 'charge.succeeded.json'),
    hasClock: true,
  },
  {
    name: 'sandbox',
    provider: new SandboxProvider({ ledger: new SqliteSandboxLedger(new Database(':memory:')), secret: 'sandbox_contract_secret', publicUrl: 'http://relay.test', clock }),
    sign: (body, now) => signSandbox('sandbox_contract_secret', body, now),
    validBody: sandboxBody('payment.paid'),
    expectValid: (result) =>
      expect(result).toEqual({
        kind: 'events',
        events: [expect.objectContaining({ provider: 'sandbox', eventId: 'sbx_evt_contract', status: 'paid', relaySessionId: 'ps_contract', amountMinor: 1250, currency: 'EUR', livemode: false })],
      }),
    unknownTypeBody: sandboxBody('payment.teleported'),
    hasClock: true,
  },
  {
    name: 'mollie next-gen',
    provider: new MollieProvider({ apiKey: 'test_contract', apiBase: 'http://mollie.invalid' }, { clock }, { webhookSecrets: ['mollie_contract_secret'] }),
    sign: (body) => signMollie('mollie_contract_secret', body),
    validBody: Buffer.from(JSON.stringify({ resource: 'event', id: 'whe_contract', type: 'payment.paid', entityId: 'tr_44aKxzEbr8', createdAt: '2023-12-25T10:30:54+00:00' })),
    // The API is the truth: a verified payment event is still only a reason to fetch the payment.
    expectValid: (result) => expect(result).toEqual({ kind: 'notification', providerPaymentRef: 'tr_44aKxzEbr8' }),
    unknownTypeBody: fixture('mollie', 'next-gen', 'webhook-event-payment-link-paid.json'),
    hasClock: false,
  },
  {
    name: 'adyen',
    provider: new AdyenProvider({ apiKey: 'contract_key', merchantAccount: 'YOUR_MERCHANT_ACCOUNT', hmacKeys: [ADYEN_TEST_HMAC_KEY], apiBase: 'http://adyen.invalid', live: false }, { clock }),
    sign: () => ({ 'content-type': 'application/json' }),
    validBody: adyenBody('AUTHORISATION'),
    expectValid: (result) =>
      expect(result).toEqual({
        kind: 'events',
        events: [expect.objectContaining({ provider: 'adyen', eventId: 'QFQTPCQ8HXSKGK82:AUTHORISATION:true', status: 'paid', relaySessionId: 'ps_contract', amountMinor: 1000, currency: 'EUR' })],
        rejected: [],
        acknowledgement: '[accepted]',
      }),
    unknownTypeBody: adyenBody('REPORT_AVAILABLE'),
    hasClock: false,
    inBody: {
      tampered: Buffer.from(adyenBody('AUTHORISATION').toString().replace('"value":1000', '"value":1001')),
      otherKey: signedAdyenNotification([adyenItem('AUTHORISATION')], { badItems: [0] }),
      unsigned: Buffer.from(JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: adyenItem('AUTHORISATION') }] })),
    },
  },
  {
    name: 'coinbase-commerce',
    provider: new CoinbaseCommerceProvider({ apiKey: 'contract_key', webhookSecrets: [COINBASE_TEST_SECRET], apiBase: 'http://coinbase.invalid', live: false }, { clock }),
    sign: (body) => signCoinbase(COINBASE_TEST_SECRET, body),
    validBody: fixture('coinbase-commerce', 'webhooks', 'derived', 'charge_confirmed.raw.json'),
    expectValid: (result) =>
      expect(result).toEqual({ kind: 'events', events: [expect.objectContaining({ provider: 'coinbase-commerce', eventId: '24934862-d980-46cb-9402-43c81b0cdba6', status: 'paid', providerSessionId: '66BEOV2A' })] }),
    unknownTypeBody: Buffer.from(fixture('coinbase-commerce', 'webhooks', 'sdk-test-charge-created.raw.json').toString().replace('"charge:created"', '"charge:teleported"')),
    hasClock: false,
  },
  {
    name: 'paypal',
    provider: new PaypalProvider(
      { clientId: 'contract', clientSecret: 'contract', webhookIds: ['8PT597110X687430LKGECATA'], apiBase: 'http://paypal.invalid', livemode: false, verification: 'local' },
      {
        clock,
        certificates: new PaypalCertificateCache(async () => fs.readFileSync(path.join(PAYPAL_TEST_CHAIN, 'leaf.pem'), 'utf8'), {
          roots: [fs.readFileSync(path.join(PAYPAL_TEST_CHAIN, 'root.pem'), 'utf8')],
          intermediates: [],
        }),
      },
    ),
    sign: (body, now) => signPaypal('8PT597110X687430LKGECATA', body, now),
    // The impostor's key: the certificate at PAYPAL-CERT-URL does not match the signature.
    forge: (body, now) => signPaypal('8PT597110X687430LKGECATA', body, now, 'impostor.key'),
    validBody: fixture('paypal', 'events', 'composed-v2', 'PAYMENT.CAPTURE.COMPLETED.json'),
    expectValid: (result) =>
      expect(result).toEqual({
        kind: 'events',
        events: [expect.objectContaining({ provider: 'paypal', eventId: 'WH-2CD34567EF890123G-4HI56789JK012345L', status: 'paid', providerPaymentId: '3C679366HH908993F', providerSessionId: '5O190127TN364715T', relaySessionId: 'ps_paypal_fixture', amountMinor: 2500, currency: 'EUR', livemode: false })],
      }),
    // A v1 sale event: the relay creates Orders v2 only, so it is never applied.
    unknownTypeBody: fixture('paypal', 'events', 'node-sdk-PAYMENT.SALE.COMPLETED.raw.json'),
    // The transmission time is signed but PayPal documents no replay window; the event id dedupes a replay.
    hasClock: false,
  },
];

describe.each(harnesses.map((h) => [h.name, h] as const))('provider contract: %s', (_name, h) => {
  it('accepts a correctly signed fixture', async () => {
    const result = await h.provider.verifyWebhook(h.validBody, h.sign(h.validBody, NOW), NOW);
    expect(result.ok).toBe(true);
    if (result.ok) h.expectValid(result.value);
  });

  it('rejects a body with one byte changed as bad_signature', async () => {
    const headers = h.sign(h.validBody, NOW);
    const tampered = Buffer.from(h.inBody?.tampered ?? h.validBody);
    const at = Math.floor(tampered.length / 2);
    if (!h.inBody) tampered[at] = tampered[at] === 0x41 ? 0x42 : 0x41;
    expect(await h.provider.verifyWebhook(tampered, headers, NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature' }) });
  });

  it('rejects a signature made with another secret as bad_signature', async () => {
    const headers = h.sign(h.validBody, NOW);
    const other = h.forge
      ? h.forge(h.validBody, NOW)
      : Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, typeof value === 'string' ? value.replace(/[0-9a-f]{64}/, 'ab'.repeat(32)) : value]));
    expect(await h.provider.verifyWebhook(h.inBody?.otherKey ?? h.validBody, other, NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature' }) });
  });

  it('never trusts a missing signature header', async () => {
    const result = await h.provider.verifyWebhook(h.inBody?.unsigned ?? h.validBody, { 'content-type': 'application/json' }, NOW);
    // Mollie: an unsigned body must then be a classic `id=tr_…` ping, which a JSON event is not.
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: h.name.startsWith('mollie') ? 'malformed' : 'missing_signature' }) });
  });

  (h.hasClock ? it : it.skip)('rejects a delivery signed too long ago as stale_timestamp', async () => {
    const signedAt = NOW - 301_000;
    expect(await h.provider.verifyWebhook(h.validBody, h.sign(h.validBody, signedAt), NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'stale_timestamp' }) });
  });

  (h.hasClock ? it : it.skip)('accepts a delivery inside the window', async () => {
    expect((await h.provider.verifyWebhook(h.validBody, h.sign(h.validBody, NOW - 299_000), NOW)).ok).toBe(true);
  });

  it('rejects a correctly signed body that is not JSON as malformed', async () => {
    const body = Buffer.from('} I am not valid JSON; 123][');
    expect(await h.provider.verifyWebhook(body, h.sign(body, NOW), NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'malformed' }) });
  });

  it('rejects correctly signed JSON that is not an event as malformed', async () => {
    const body = Buffer.from('{"hello":"world"}');
    expect(await h.provider.verifyWebhook(body, h.sign(body, NOW), NOW)).toEqual({ ok: false, error: expect.objectContaining({ code: 'malformed' }) });
  });

  it('maps an unknown event type to unsupported, never to paid', async () => {
    const result = await h.provider.verifyWebhook(h.unknownTypeBody, h.sign(h.unknownTypeBody, NOW), NOW);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.kind).toBe('events');
      if (result.value.kind === 'events') expect(result.value.events.map((e) => e.status)).toEqual(['unsupported']);
    }
  });
});
