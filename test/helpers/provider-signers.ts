import crypto from 'node:crypto';
import path from 'node:path';
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
