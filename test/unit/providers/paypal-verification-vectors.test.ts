import fs from 'node:fs';
import path from 'node:path';
import { isPaypalCertUrl, PaypalCertificateCache } from '../../../relay/src/providers/paypal/paypal-certificates';
import { crc32, paypalSignedMessage, readTransmission, verifyPaypalSignature } from '../../../relay/src/providers/paypal/paypal-signature';
import { PROVIDER_FIXTURES } from '../../helpers/provider-signers';

/** Every vector in test/fixtures/providers/paypal/verification-vectors.json, plus the node SDK vector they refer to. */
interface PaypalVector {
  id: string;
  webhook_id: string;
  raw_body_file?: string;
  raw_body_note?: string;
  cert_file?: string;
  headers?: Record<string, string>;
  headers_ref?: string;
  crc32_decimal?: number;
  signed_message?: string;
  expected: string;
}

const dir = path.join(PROVIDER_FIXTURES, 'paypal');
const vectors: PaypalVector[] = JSON.parse(fs.readFileSync(path.join(dir, 'verification-vectors.json'), 'utf8')).vectors;
const nodeVector: PaypalVector = JSON.parse(fs.readFileSync(path.join(dir, 'node-sdk-vector.json'), 'utf8'));
const all = [...vectors, nodeVector];

function headersOf(vector: PaypalVector): Record<string, string> {
  const source = vector.headers ?? all.find((candidate) => candidate.id === vector.headers_ref)?.headers;
  if (!source) throw new Error(`vector ${vector.id} has no headers`);
  return Object.fromEntries(Object.entries(source).map(([key, value]) => [key.toLowerCase(), value]));
}

function bodyOf(vector: PaypalVector): Buffer {
  if (vector.raw_body_file) return fs.readFileSync(path.join(dir, vector.raw_body_file));
  // paypal-java-sdk-tampered-body: "java body with "T-Shirt" replaced by "t-Shirt"".
  const java = fs.readFileSync(path.join(dir, 'events', 'java-sdk-BILLING.PLAN.CREATED.raw.json'), 'utf8');
  return Buffer.from(java.replace('T-Shirt', 't-Shirt'));
}

/** The certificate as PAYPAL-CERT-URL would serve it; the chain is checked against the relay's bundled DigiCert anchors. */
function cacheServing(certFile: string | undefined): PaypalCertificateCache {
  return new PaypalCertificateCache(async () => {
    if (!certFile) throw new Error('certificate not published (HTTP 404)');
    return fs.readFileSync(path.join(dir, certFile), 'utf8');
  });
}

async function verify(vector: PaypalVector, now: number) {
  const transmission = readTransmission(headersOf(vector));
  if (!transmission.ok) return transmission;
  const leaf = await cacheServing(vector.cert_file).leafFor(transmission.value.certUrl, now);
  if (!leaf.ok) return leaf;
  return verifyPaypalSignature(bodyOf(vector), transmission.value, vector.webhook_id, leaf.value);
}

/** Inside the certificates' lifetimes (the vectors were signed 2015 and 2017, with certificates that have since expired). */
const atTransmission = (vector: PaypalVector) => Date.parse(headersOf(vector)['paypal-transmission-time']);

describe('PayPal verification vectors (test/fixtures/providers/paypal)', () => {
  it('has the five published vectors and the node SDK one', () => expect(all.map((v) => v.id)).toHaveLength(6));

  it.each(all.filter((v) => v.expected === 'verify' || v.expected === 'fail').map((v) => [v.id, v] as const))('%s', async (_id, vector) => {
    if (vector.crc32_decimal !== undefined) expect(crc32(bodyOf(vector))).toBe(vector.crc32_decimal);
    if (vector.signed_message) {
      const headers = headersOf(vector);
      expect(paypalSignedMessage({ transmissionId: headers['paypal-transmission-id'], transmissionTime: headers['paypal-transmission-time'] }, vector.webhook_id, bodyOf(vector))).toBe(vector.signed_message);
    }
    const result = await verify(vector, atTransmission(vector));
    expect(result.ok).toBe(vector.expected === 'verify');
    if (!result.ok) expect(result.error.code).toBe('bad_signature');
  });

  it('paypal-php-sdk-sample-unverifiable: its CRC matches, and an unpublished certificate means "retry", not "accepted"', async () => {
    const vector = all.find((v) => v.id === 'paypal-php-sdk-sample-unverifiable')!;
    expect(crc32(bodyOf(vector))).toBe(vector.crc32_decimal);
    const result = await verify(vector, atTransmission(vector));
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'verification_unavailable' }) });
  });

  it('a good signature with an expired certificate fails on today\'s clock', async () => {
    const vector = all.find((v) => v.id === 'paypal-java-sdk-billing-plan-created')!;
    const result = await verify(vector, Date.parse('2026-12-01T00:00:00Z'));
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature', message: expect.stringContaining('not valid at this time') }) });
  });

  it('a certificate not yet valid fails too (the node certificate before 2015-03-18)', async () => {
    const result = await verify(nodeVector, Date.parse('2015-03-01T00:00:00Z'));
    expect(result.ok).toBe(false);
  });

  it('the chain is checked: without the DigiCert anchors the published certificates are not trusted', async () => {
    const transmission = readTransmission(headersOf(nodeVector));
    if (!transmission.ok) throw new Error('headers');
    const pem = fs.readFileSync(path.join(dir, nodeVector.cert_file!), 'utf8');
    const ownRoot = fs.readFileSync(path.join(dir, 'test-chain', 'root.pem'), 'utf8');
    const cache = new PaypalCertificateCache(async () => pem, { roots: [ownRoot], intermediates: [] });
    const leaf = await cache.leafFor(transmission.value.certUrl, atTransmission(nodeVector));
    expect(leaf).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature', message: expect.stringContaining('does not chain to a trusted root') }) });
  });
});

describe('PAYPAL-CERT-URL is followed only to PayPal', () => {
  it.each([
    ['https://api.paypal.com/v1/notifications/certs/CERT-1', true],
    ['https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1', true],
    ['https://api-m.paypal.com/v1/notifications/certs/CERT-1', true],
    ['https://API.PayPal.com/v1/notifications/certs/CERT-1', true],
    ['http://api.paypal.com/v1/notifications/certs/CERT-1', false],
    ['https://api.paypal.com.evil.example/cert', false],
    ['https://evilpaypal.com/cert', false],
    ['https://api.paypal.com@evil.example/cert', false],
    ['https://user:pw@api.paypal.com/cert', false],
    ['https://api.paypal.com:8443/cert', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => expect(isPaypalCertUrl(url)).toBe(allowed));

  it('does not fetch from another host at all', async () => {
    const fetcher = jest.fn(async () => 'unused');
    const cache = new PaypalCertificateCache(fetcher);
    const result = await cache.leafFor('https://certs.evil.example/paypal.pem', Date.now());
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature' }) });
    expect(fetcher).not.toHaveBeenCalled();
  });

  it('fetches a certificate once and serves it from the cache afterwards', async () => {
    const pem = fs.readFileSync(path.join(dir, nodeVector.cert_file!), 'utf8');
    const fetcher = jest.fn(async () => pem);
    const cache = new PaypalCertificateCache(fetcher);
    const url = headersOf(nodeVector)['paypal-cert-url'];
    const at = atTransmission(nodeVector);
    const results = await Promise.all([cache.leafFor(url, at), cache.leafFor(url, at), cache.leafFor(url, at + 60_000)]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await cache.leafFor(url, at + 120_000)).toEqual(expect.objectContaining({ ok: true }));
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it('a self-signed certificate with PayPal\'s name is refused', async () => {
    const pem = fs.readFileSync(path.join(dir, 'test-chain', 'impostor-self-signed.pem'), 'utf8');
    const cache = new PaypalCertificateCache(async () => pem, { roots: [fs.readFileSync(path.join(dir, 'test-chain', 'root.pem'), 'utf8')] });
    const result = await cache.leafFor('https://api.sandbox.paypal.com/v1/notifications/certs/X', Date.parse('2026-01-01T00:00:00Z'));
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'bad_signature' }) });
  });
});
