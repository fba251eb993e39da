import fs from 'node:fs';
import path from 'node:path';
import { verifyMollieSignature } from '../../../relay/src/providers/mollie/mollie-signature';
import { verifyStripeSignature } from '../../../relay/src/providers/stripe/stripe-signature';
import { PROVIDER_FIXTURES } from '../../helpers/provider-signers';

interface StripeVector {
  id: string;
  secret: string;
  verify_secret?: string;
  raw_body?: string;
  raw_body_file?: string;
  headers: Record<string, string>;
  verify_now_unix: number;
  tolerance_s: number;
  expected: string;
}

const stripeVectors: StripeVector[] = JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'stripe', 'signature-vectors.json'), 'utf8')).vectors;

function stripeBody(vector: StripeVector): Buffer {
  // Prefer the file: signatures are over exact bytes.
  if (vector.raw_body_file) return fs.readFileSync(path.join(PROVIDER_FIXTURES, 'stripe', vector.raw_body_file));
  return Buffer.from(vector.raw_body ?? '', 'utf8');
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

describe('Stripe signature vectors (test/fixtures/providers/stripe/signature-vectors.json)', () => {
  it('has vectors to check', () => expect(stripeVectors.length).toBeGreaterThan(20));

  it.each(stripeVectors.map((v) => [v.id, v] as const))('%s', (_id, vector) => {
    const result = verifyStripeSignature(stripeBody(vector), lowerKeys(vector.headers), [vector.verify_secret ?? vector.secret], vector.verify_now_unix * 1000, vector.tolerance_s);
    // "verify_signature_then_fail_parse": the signature passes, parsing is a later step.
    const shouldVerify = vector.expected === 'verify' || vector.expected === 'verify_signature_then_fail_parse';
    expect(result.ok).toBe(shouldVerify);
    if (vector.id === 'stripe-missing-header' && !result.ok) expect(result.error.code).toBe('missing_signature');
    if (vector.id.includes('tolerance') && vector.expected === 'fail' && !result.ok) expect(result.error.code).toBe('stale_timestamp');
    if (vector.id === 'stripe-301s-old' && !result.ok) expect(result.error.code).toBe('stale_timestamp');
  });

  it('passes with any of several configured secrets (rotation)', () => {
    const vector = stripeVectors.find((v) => v.id === 'stripe-valid-within-tolerance')!;
    const result = verifyStripeSignature(stripeBody(vector), lowerKeys(vector.headers), ['whsec_old', vector.secret], vector.verify_now_unix * 1000, 10);
    expect(result.ok).toBe(true);
  });

  it('refuses a timestamp more than an hour in the future (our bound; Stripe itself has none)', () => {
    const vector = stripeVectors.find((v) => v.id === 'stripe-future-timestamp')!;
    const result = verifyStripeSignature(stripeBody(vector), lowerKeys(vector.headers), [vector.secret], (20600 - 3601) * 1000, 300);
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'stale_timestamp' }) });
  });
});

interface MollieVector {
  id: string;
  secret?: string;
  secrets?: string[];
  raw_body?: string;
  raw_body_file?: string;
  headers?: Record<string, string>;
  header_values?: string[];
  expected: string;
}

const mollieVectors: MollieVector[] = JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, 'mollie', 'next-gen', 'signature-vectors.json'), 'utf8')).vectors;

describe('Mollie next-gen signature vectors', () => {
  it.each(mollieVectors.map((v) => [v.id, v] as const))('%s', (_id, vector) => {
    const body = vector.raw_body_file ? fs.readFileSync(path.join(PROVIDER_FIXTURES, 'mollie', vector.raw_body_file)) : Buffer.from(vector.raw_body ?? '', 'utf8');
    const values = vector.header_values ?? Object.entries(vector.headers ?? {}).filter(([key]) => key.toLowerCase() === 'x-mollie-signature').map(([, value]) => value);
    const result = verifyMollieSignature(body, values, vector.secrets ?? [vector.secret!]);
    if (vector.expected === 'verify') expect(result.ok).toBe(true);
    else if (vector.expected === 'fail') expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature' }) });
    // No header = a classic (legacy) webhook, handled by the provider as an unsigned notification.
    else expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'missing_signature' }) });
  });
});
