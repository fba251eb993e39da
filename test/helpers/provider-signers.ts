import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { signAdyenItem } from '../../relay/src/providers/adyen/adyen-hmac';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';

/** The read-only fixtures folder beside the repository (never read by product code). */
export const PROVIDER_FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'providers');

/** `Stripe-Signature` for a body at a moment, like stripe-node's generateTestHeaderString. */
export function signStripe(secret: string, body: string | Buffer, nowMs: number, extra = ''): Record<string, string> {
  const t = Math.floor(nowMs / 1000);
  const v1 = crypto.createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
  return { 'stripe-signature': `t=${t},v1=${v1}${extra}`, 'content-type': 'application/json' };
}

export function signSandbox(secret: string, body: string | Buffer, nowMs: number): Record<string, string> {
  return { 'payrelay-sandbox-signature': signSandboxEvent(secret, body, nowMs), 'content-type': 'application/json' };
}

export function signMollie(secret: string, body: string | Buffer, prefix = true): Record<string, string> {
  const hex = crypto.createHmac('sha256', secret).update(body).digest('hex');
  return { 'x-mollie-signature': prefix ? `sha256=${hex}` : hex, 'content-type': 'application/json' };
}

/** A test HMAC key for Adyen (hex, like the Customer Area shows it). */
export const ADYEN_TEST_HMAC_KEY = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';

/**
 * A standard Adyen notification with each item signed in `additionalData.hmacSignature` (Adyen has no header).
 * `badItems` lists indexes to sign with another key.
 */
export function signedAdyenNotification(items: Array<Record<string, unknown>>, options: { key?: string; live?: boolean; badItems?: number[] } = {}): Buffer {
  const key = options.key ?? ADYEN_TEST_HMAC_KEY;
  const notificationItems = items.map((item, index) => {
    const signWith = options.badItems?.includes(index) ? 'AB'.repeat(32) : key;
    const additionalData = { ...((item.additionalData as Record<string, unknown> | undefined) ?? {}), hmacSignature: signAdyenItem(signWith, item) };
    return { NotificationRequestItem: { ...item, additionalData } };
  });
  return Buffer.from(JSON.stringify({ live: options.live ? 'true' : 'false', notificationItems }));
}

/** The test chain under fixtures/providers/paypal/test-chain (a throwaway root, and a leaf named like PayPal's). */
export const PAYPAL_TEST_CHAIN = path.join(PROVIDER_FIXTURES, 'paypal', 'test-chain');
export const PAYPAL_TEST_CERT_URL = 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-payrelay-test';

/** PayPal's transmission headers for a body, signed with the test leaf's key (or `keyFile` to forge). */
export function signPaypal(webhookId: string, body: string | Buffer, nowMs: number, keyFile = 'leaf.key', certUrl = PAYPAL_TEST_CERT_URL): Record<string, string> {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const transmissionId = `tx-${crypto.createHash('sha256').update(raw).digest('hex').slice(0, 12)}`;
  const transmissionTime = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const message = `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(raw)}`;
  const key = fs.readFileSync(path.join(PAYPAL_TEST_CHAIN, keyFile));
  const signature = crypto.sign('sha256', Buffer.from(message), key).toString('base64');
  return {
    'paypal-transmission-id': transmissionId,
    'paypal-transmission-time': transmissionTime,
    'paypal-transmission-sig': signature,
    'paypal-cert-url': certUrl,
    'paypal-auth-algo': 'SHA256withRSA',
    'content-type': 'application/json',
  };
}

function crc32(bytes: Buffer): number {
  // Independent of the relay's own CRC code, so a bug there cannot hide here.
  return zlib.crc32(bytes) >>> 0;
}

export const COINBASE_TEST_SECRET = '30291a20-0bd1-4267-9b0f-e6e7b123c0bf';

/** `X-CC-Webhook-Signature`: lowercase hex HMAC-SHA256 of the raw body. */
export function signCoinbase(secret: string, body: string | Buffer): Record<string, string> {
  return { 'x-cc-webhook-signature': crypto.createHmac('sha256', secret).update(body).digest('hex'), 'content-type': 'application/json' };
}
