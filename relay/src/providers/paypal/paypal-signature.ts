import crypto from 'node:crypto';
import { err, ok, type Result } from '../../domain/result';
import type { WebhookHeaders, WebhookRejection } from '../../ports/payment-provider';
import { headerValues } from '../webhook-headers';

/** The transmission headers PayPal signs a delivery with (https://developer.paypal.com/api/rest/webhooks/rest/). */
export interface PaypalTransmission {
  transmissionId: string;
  transmissionTime: string;
  /** Base64 RSA signature. */
  signature: string;
  certUrl: string;
  authAlgo: string;
}

/** Only SHA256withRSA is verified locally; anything else fails closed (or goes to the verify API when enabled). */
export const PAYPAL_AUTH_ALGO = 'SHA256withRSA';

export function readTransmission(headers: WebhookHeaders): Result<PaypalTransmission, WebhookRejection> {
  const one = (name: string) => headerValues(headers, name)[0]?.trim();
  const transmissionId = one('paypal-transmission-id');
  const transmissionTime = one('paypal-transmission-time');
  const signature = one('paypal-transmission-sig');
  const certUrl = one('paypal-cert-url');
  const authAlgo = one('paypal-auth-algo');
  if (!transmissionId || !transmissionTime || !signature || !certUrl || !authAlgo) {
    return err({
      code: 'missing_signature',
      message: 'PAYPAL-TRANSMISSION-ID, PAYPAL-TRANSMISSION-TIME, PAYPAL-TRANSMISSION-SIG, PAYPAL-CERT-URL and PAYPAL-AUTH-ALGO are required',
    });
  }
  return ok({ transmissionId, transmissionTime, signature, certUrl, authAlgo });
}

/** `transmission_id|transmission_time|webhook_id|crc32(raw body)`, the CRC as an unsigned decimal. */
export function paypalSignedMessage(transmission: Pick<PaypalTransmission, 'transmissionId' | 'transmissionTime'>, webhookId: string, raw: Buffer): string {
  return `${transmission.transmissionId}|${transmission.transmissionTime}|${webhookId}|${crc32(raw)}`;
}

/**
 * RSA PKCS#1 v1.5 over SHA-256 with the certificate's public key. The webhook id is ours (configured), never
 * read from the request, so a delivery meant for another merchant's webhook does not verify here.
 */
export function verifyPaypalSignature(raw: Buffer, transmission: PaypalTransmission, webhookId: string, leaf: crypto.X509Certificate): Result<void, WebhookRejection> {
  if (transmission.authAlgo !== PAYPAL_AUTH_ALGO) {
    return err({ code: 'bad_signature', message: `PAYPAL-AUTH-ALGO ${transmission.authAlgo.slice(0, 40)} is not supported (only ${PAYPAL_AUTH_ALGO})` });
  }
  const signature = Buffer.from(transmission.signature, 'base64');
  if (signature.length === 0) return err({ code: 'bad_signature', message: 'PAYPAL-TRANSMISSION-SIG is not base64' });
  const message = Buffer.from(paypalSignedMessage(transmission, webhookId, raw), 'utf8');
  let valid = false;
  try {
    valid = crypto.verify('sha256', message, { key: leaf.publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    valid = false;
  }
  return valid ? ok(undefined) : err({ code: 'bad_signature', message: 'PAYPAL-TRANSMISSION-SIG does not match this body for the configured PAYPAL_WEBHOOK_ID' });
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as zlib) of the exact bytes. Hand-written: zlib.crc32 only exists from Node 20.15. */
export function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
