import crypto from 'node:crypto';
import axios from 'axios';
import { err, ok, type Result } from '../../domain/result';
import type { WebhookRejection } from '../../ports/payment-provider';
import { PAYPAL_KNOWN_INTERMEDIATES, PAYPAL_TRUSTED_ROOTS } from './paypal-trust-anchors';

/** Fetches the PEM at an (already allowed) PAYPAL-CERT-URL. Injected so tests never reach the internet. */
export type CertificateFetcher = (url: string) => Promise<string>;

/**
 * PAYPAL-CERT-URL comes from the request, so it is only followed to PayPal itself: https on the default port,
 * host api.paypal.com, api.sandbox.paypal.com or another *.paypal.com name, no credentials in the URL. Anything
 * else would let a forger point us at a certificate of their own.
 */
export function isPaypalCertUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || (url.port !== '' && url.port !== '443')) return false;
  const host = url.hostname.toLowerCase();
  return host === 'paypal.com' || host.endsWith('.paypal.com');
}

/** The default fetcher: no redirects (a 3xx to elsewhere is refused), a short timeout, a small body. */
export function httpsCertificateFetcher(timeoutMs: number): CertificateFetcher {
  return async (url) => {
    const response = await axios.get<string>(url, { maxRedirects: 0, timeout: timeoutMs, responseType: 'text', maxContentLength: 64 * 1024, transitional: { forcedJSONParsing: false } });
    return String(response.data);
  };
}

export interface CertificateCheckOptions {
  /** PEM roots the chain must end at; PayPal's DigiCert roots by default (tests pass their own). */
  roots?: readonly string[];
  intermediates?: readonly string[];
  /** How long a verified certificate is reused before it is fetched again. */
  cacheMs?: number;
  maxEntries?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Signing certificates by URL: fetched once, chain and dates checked against the injected `now`, cached until the
 * cache time or the certificate's expiry, whichever comes first. A chain that does not verify is never cached.
 */
export class PaypalCertificateCache {
  private readonly roots: crypto.X509Certificate[];
  private readonly intermediates: crypto.X509Certificate[];
  private readonly cacheMs: number;
  private readonly maxEntries: number;
  private readonly entries = new Map<string, { leaf: crypto.X509Certificate; chain: crypto.X509Certificate[]; until: number }>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly fetcher: CertificateFetcher, options: CertificateCheckOptions = {}) {
    this.roots = (options.roots ?? PAYPAL_TRUSTED_ROOTS).map((pem) => new crypto.X509Certificate(pem));
    this.intermediates = (options.intermediates ?? PAYPAL_KNOWN_INTERMEDIATES).map((pem) => new crypto.X509Certificate(pem));
    this.cacheMs = options.cacheMs ?? DAY_MS;
    this.maxEntries = options.maxEntries ?? 16;
  }

  /** The leaf certificate to verify a signature with, or why there is none. */
  async leafFor(certUrl: string, now: number): Promise<Result<crypto.X509Certificate, WebhookRejection>> {
    if (!isPaypalCertUrl(certUrl)) return err({ code: 'bad_signature', message: 'PAYPAL-CERT-URL does not point at a PayPal host (https://*.paypal.com)' });
    const cached = this.entries.get(certUrl);
    if (cached && now < cached.until) {
      // Dates are checked again: a cached certificate does not outlive itself.
      const checked = this.checkChain(cached.leaf, cached.chain, now);
      return checked.ok ? ok(cached.leaf) : checked;
    }
    let pem: string;
    try {
      pem = await this.fetchOnce(certUrl);
    } catch (error) {
      // Not the sender's fault as far as we know: 503, so PayPal retries once the certificate can be fetched.
      return err({ code: 'verification_unavailable', message: `the PayPal signing certificate could not be fetched (${describeFetchError(error)}); please retry` });
    }
    const parsed = parsePemChain(pem);
    if (!parsed.ok) return parsed;
    const [leaf, ...served] = parsed.value;
    const checked = this.checkChain(leaf, served, now);
    if (!checked.ok) return checked;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(certUrl, { leaf, chain: served, until: Math.min(now + this.cacheMs, Date.parse(leaf.validTo)) });
    return ok(leaf);
  }

  /** The leaf must be PayPal's, in date, and chain (through the served or known intermediates) to a trusted root. */
  checkChain(leaf: crypto.X509Certificate, served: crypto.X509Certificate[], now: number): Result<void, WebhookRejection> {
    if (!isPaypalSigningCert(leaf)) return err({ code: 'bad_signature', message: 'the certificate at PAYPAL-CERT-URL is not issued to a paypal.com name' });
    const pool = [...served, ...this.intermediates];
    let current = leaf;
    for (let depth = 0; depth < 6; depth++) {
      if (!inDate(current, now)) return err({ code: 'bad_signature', message: `a certificate in the PayPal chain is not valid at this time (${current.subject.split('\n').find((l) => l.startsWith('CN=')) ?? 'no CN'}, ${current.validFrom} – ${current.validTo})` });
      const root = this.roots.find((candidate) => issuedBy(current, candidate));
      if (root) return inDate(root, now) ? ok(undefined) : err({ code: 'bad_signature', message: 'the PayPal chain ends at a root that is not valid at this time' });
      const issuer = pool.find((candidate) => candidate !== current && candidate.ca && issuedBy(current, candidate));
      if (!issuer) return err({ code: 'bad_signature', message: 'the certificate at PAYPAL-CERT-URL does not chain to a trusted root' });
      current = issuer;
    }
    return err({ code: 'bad_signature', message: 'the PayPal certificate chain is too long' });
  }

  private fetchOnce(url: string): Promise<string> {
    const pending = this.inFlight.get(url);
    if (pending) return pending;
    const started = this.fetcher(url).finally(() => this.inFlight.delete(url));
    this.inFlight.set(url, started);
    return started;
  }
}

export function parsePemChain(pem: string): Result<crypto.X509Certificate[], WebhookRejection> {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return err({ code: 'bad_signature', message: 'PAYPAL-CERT-URL did not return a PEM certificate' });
  try {
    return ok(blocks.map((block) => new crypto.X509Certificate(block)));
  } catch {
    return err({ code: 'bad_signature', message: 'PAYPAL-CERT-URL returned a certificate that cannot be parsed' });
  }
}

function issuedBy(child: crypto.X509Certificate, issuer: crypto.X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function inDate(cert: crypto.X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

function isPaypalSigningCert(cert: crypto.X509Certificate): boolean {
  const names = (cert.subjectAltName ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry.startsWith('DNS:')).map((entry) => entry.slice(4).toLowerCase());
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1]?.toLowerCase();
  return [...names, ...(cn ? [cn] : [])].some((name) => name === 'paypal.com' || name.endsWith('.paypal.com'));
}

function describeFetchError(error: unknown): string {
  if (axios.isAxiosError(error)) return error.response ? `HTTP ${error.response.status}` : error.code ?? error.message;
  return error instanceof Error ? error.message : String(error);
}
