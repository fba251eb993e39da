import crypto from 'node:crypto';
import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';

/** An Adyen HMAC key as shown in the Customer Area: hex, an even number of digits (64 for the usual 32 bytes). */
export const ADYEN_HMAC_KEY = /^(?:[0-9A-Fa-f]{2}){16,}$/;

/** The fields of a NotificationRequestItem that its HMAC covers; everything else in the item is unsigned. */
export interface AdyenSignedFields {
  pspReference?: string;
  originalReference?: string;
  merchantAccountCode?: string;
  merchantReference?: string;
  amount?: { value?: number | string; currency?: string };
  eventCode?: string;
  success?: string;
}

/**
 * The standard-notification signing string (docs.adyen.com "Verify HMAC signatures"; adyen-node-api-library
 * `HmacValidator.getDataToSign`): `psp:original:merchantAccount:merchantReference:value:currency:eventCode:success`.
 * A missing field is an empty string and values are used raw, without escaping, even when they contain `:` or
 * `\` (vector adyen-java-slashes-colons-unescaped). `value` is written as it arrived (1000, or "0" as a string).
 */
export function adyenSigningString(item: AdyenSignedFields): string {
  const value = item.amount?.value;
  return [
    item.pspReference ?? '',
    item.originalReference ?? '',
    item.merchantAccountCode ?? '',
    item.merchantReference ?? '',
    value === undefined || value === null ? '' : String(value),
    item.amount?.currency ?? '',
    item.eventCode ?? '',
    item.success ?? '',
  ].join(':');
}

/** base64(HMAC-SHA256(hex-decoded key, message)). Throws on a key that is not hex: that is bad configuration. */
export function adyenHmac(keyHex: string, message: string | Buffer): string {
  if (!ADYEN_HMAC_KEY.test(keyHex)) throw new Error(`Invalid Hex HMAC key: ${keyHex.length > 8 ? `${keyHex.slice(0, 4)}…` : keyHex}`);
  return crypto.createHmac('sha256', Buffer.from(keyHex, 'hex')).update(message).digest('base64');
}

export function signAdyenItem(keyHex: string, item: AdyenSignedFields): string {
  return adyenHmac(keyHex, adyenSigningString(item));
}

/**
 * Compare a received base64 signature with the expected one in constant time, on the decoded bytes. A base64
 * string of the right length can still decode to another number of bytes (44 × "A" is 33 bytes), which must
 * be a plain mismatch, never a throw.
 */
export function sameAdyenSignature(expectedBase64: string, receivedBase64: string): boolean {
  const expected = Buffer.from(expectedBase64, 'base64');
  const received = Buffer.from(receivedBase64, 'base64');
  return received.length === expected.length && crypto.timingSafeEqual(received, expected);
}

/** One item's `additionalData.hmacSignature`, checked against every configured key (rotation: any match passes). */
export function verifyAdyenItem(item: AdyenSignedFields, signature: string | undefined, keysHex: readonly string[]): Result<void, WebhookRejection> {
  if (signature === undefined || signature === '') return err({ code: 'missing_signature', message: 'Missing hmacSignature in additionalData' });
  if (keysHex.length === 0) return err({ code: 'bad_signature', message: 'no Adyen HMAC key is configured' });
  const data = adyenSigningString(item);
  const matched = keysHex.some((key) => sameAdyenSignature(adyenHmac(key, data), signature));
  return matched ? ok(undefined) : err({ code: 'bad_signature', message: 'hmacSignature does not match the item for any configured HMAC key' });
}

/**
 * Balance Platform and Management API webhooks (a different product from payment notifications) sign the raw
 * body instead, in the `HmacSignature` header. Not used for payments; kept so the published vectors cover it.
 */
export function verifyAdyenRawBody(raw: Buffer, headerSignature: string | undefined, keysHex: readonly string[]): Result<void, WebhookRejection> {
  if (!headerSignature) return err({ code: 'missing_signature', message: 'HmacSignature header is required' });
  const matched = keysHex.some((key) => sameAdyenSignature(adyenHmac(key, raw), headerSignature));
  return matched ? ok(undefined) : err({ code: 'bad_signature', message: 'HmacSignature does not match the body' });
}
