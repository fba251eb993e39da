import crypto from 'node:crypto';
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
