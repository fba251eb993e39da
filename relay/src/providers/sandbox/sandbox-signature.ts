import type { Result } from '../../domain/result';
import type { WebhookHeaders, WebhookRejection } from '../../ports/payment-provider';
import { signTimestamped, verifyTimestamped } from '../timestamped-hmac';
import { headerValues } from '../webhook-headers';

export const SANDBOX_SIGNATURE_HEADER = 'payrelay-sandbox-signature';
/** Our own scheme, so the window is bounded both ways (style guide, principle 1). */
export const SANDBOX_TOLERANCE_SECONDS = 300;

/** `t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`: the value of the Payrelay-Sandbox-Signature header. */
export function signSandboxEvent(secret: string, body: string | Buffer, nowMs: number): string {
  const timestamp = Math.floor(nowMs / 1000);
  return `t=${timestamp},v1=${signTimestamped(secret, timestamp, body)}`;
}

export function verifySandboxSignature(raw: Buffer, headers: WebhookHeaders, secret: string, nowMs: number): Result<{ timestamp: number }, WebhookRejection> {
  const values = headerValues(headers, SANDBOX_SIGNATURE_HEADER);
  return verifyTimestamped(raw, values.length > 0 ? values.join(',') : undefined, {
    headerName: 'Payrelay-Sandbox-Signature',
    secrets: [secret],
    nowMs,
    toleranceSeconds: SANDBOX_TOLERANCE_SECONDS,
    maxFutureSeconds: SANDBOX_TOLERANCE_SECONDS,
  });
}
