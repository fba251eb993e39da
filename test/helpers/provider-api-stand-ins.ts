import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PROVIDER_FIXTURES } from './provider-signers';

/**
 * What a stand-in does to the next call instead of answering it. `held`: a 500 once `until` settles, so a test
 * chooses the moment the answer is lost (before the relay's own timeout); with `then: 'answer'`, the call is made
 * and answered as usual at that moment instead (a test orders a webhook before the answer).
 */
export type ApiFault = { kind: 'server_error' } | { kind: 'unavailable' } | { kind: 'rate_limited' } | { kind: 'hang' } | { kind: 'drop' } | { kind: 'held'; until: Promise<unknown>; then?: 'answer' };

export interface ApiCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  answer: ApiFault['kind'] | number;
}

export interface ApiStandIn {
  /** Give the relay this as the provider's API base. */
  url: string;
  calls: ApiCall[];
  /** Queue faults for the next calls, one per call. */
  fail(...faults: ApiFault[]): void;
  close(): Promise<void>;
}

type Handler = (method: string, url: string, body: any, headers: http.IncomingHttpHeaders) => { status: number; body: unknown };

/**
 * A real HTTP server on port 0 with fault injection (5xx, an edge's HTML 503, 429, a hang the client must time
 * out, a dropped connection), so timeouts and resets are real sockets, not mocks.
 */
async function startApiStandIn(handler: Handler): Promise<ApiStandIn> {
  const calls: ApiCall[] = [];
  const faults: ApiFault[] = [];
  const hung = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      const call: ApiCall = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, answer: 0 };
      calls.push(call);
      const fault = faults.shift();
      if (fault) {
        call.answer = fault.kind;
        switch (fault.kind) {
          case 'server_error':
            return send(res, 500, { status: 500, errorCode: '000', message: 'internal error', errorType: 'internal', error: { type: 'internal_server_error', message: 'internal error' } });
          case 'unavailable':
            res.writeHead(503, { 'content-type': 'text/html' });
            return res.end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
          case 'rate_limited':
            return send(res, 429, { status: 429, errorCode: '000', message: 'Too many requests', errorType: 'throttling', error: { type: 'rate_limit_exceeded', message: 'Too many requests' } });
          case 'hang':
            hung.add(res);
            return;
          case 'held':
            hung.add(res);
            void fault.until.then(() => {
              hung.delete(res);
              if (fault.then === 'answer') {
                const answer = handler(call.method, call.path, body, req.headers);
                return send(res, answer.status, answer.body);
              }
              send(res, 500, { status: 500, errorCode: '000', message: 'internal error', errorType: 'internal', error: { type: 'internal_server_error', message: 'internal error' } });
            });
            return;
          case 'drop':
            return req.socket.destroy();
        }
      }
      const answer = handler(call.method, call.path, body, req.headers);
      call.answer = answer.status;
      send(res, answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    fail: (...more) => faults.push(...more),
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const fixture = (...parts: string[]) => JSON.parse(fs.readFileSync(path.join(PROVIDER_FIXTURES, ...parts), 'utf8'));

/** A payment Adyen holds (its pspReference arrived by notification) and the refunds asked for on it. */
export interface AdyenPayment {
  value: number;
  currency: string;
  refunds: Array<Record<string, any>>;
}

/**
 * Adyen Checkout v71 payment links, shaped like api-fixtures/payment-link-active.json, and refunds of payments
 * (`POST /payments/{psp}/refunds`, shaped like api-fixtures/refund-received.json: Adyen answers `received`, the
 * outcome comes later by notification). An Idempotency-Key seen before returns the first answer, as Adyen does.
 */
export async function startAdyenStandIn(): Promise<ApiStandIn & { links: Map<string, Record<string, any>>; payments: Map<string, AdyenPayment>; addPayment(psp: string, value: number, currency?: string): void }> {
  const links = new Map<string, Record<string, any>>();
  const payments = new Map<string, AdyenPayment>();
  const byKey = new Map<string, string>();
  const refundsByKey = new Map<string, Record<string, any>>();
  let refundSeq = 0;
  const standIn = await startApiStandIn((method, url, body, headers) => {
    if (!headers['x-api-key']) return { status: 401, body: fixture('adyen', 'api-fixtures', 'error-401.json') };
    const refund = /^\/v71\/payments\/([A-Za-z0-9]+)\/refunds$/.exec(url);
    if (refund && method === 'POST') {
      const key = String(headers['idempotency-key'] ?? '');
      const replay = key ? refundsByKey.get(key) : undefined;
      if (replay) return { status: 201, body: replay };
      const payment = payments.get(refund[1]!);
      if (!payment) return { status: 422, body: fixture('adyen', 'api-fixtures', 'error-422-original-psp.json') };
      if (!body?.merchantAccount) return { status: 422, body: { status: 422, errorCode: '100', message: "Required field 'merchantAccount' is not provided.", errorType: 'validation' } };
      if (typeof body.amount?.value !== 'number' || !body.amount?.currency) return { status: 422, body: { status: 422, errorCode: '100', message: "Required field 'amount' is not provided.", errorType: 'validation' } };
      refundSeq += 1;
      const answer = { ...fixture('adyen', 'api-fixtures', 'refund-received.json'), merchantAccount: body.merchantAccount, paymentPspReference: refund[1], reference: body.reference, pspReference: `RF${String(refundSeq).padStart(14, '0')}`, amount: body.amount };
      payment.refunds.push(answer);
      if (key) refundsByKey.set(key, answer);
      return { status: 201, body: answer };
    }
    const match = /^\/v71\/paymentLinks(?:\/([A-Za-z0-9]+))?$/.exec(url);
    if (!match) return { status: 404, body: { status: 404, errorCode: '000', message: 'not found', errorType: 'validation' } };
    if (method === 'POST' && !match[1]) {
      const key = String(headers['idempotency-key'] ?? '');
      const existing = key ? byKey.get(key) : undefined;
      if (existing) return { status: 201, body: links.get(existing) };
      const id = `PL${crypto.randomBytes(8).toString('hex').toUpperCase()}`;
      const link = { ...fixture('adyen', 'api-fixtures', 'payment-link-active.json'), ...body, id, url: `https://test.adyen.link/${id}`, status: 'active' };
      links.set(id, link);
      if (key) byKey.set(key, id);
      return { status: 201, body: link };
    }
    const link = match[1] ? links.get(match[1]) : undefined;
    if (!link) return { status: 404, body: { status: 404, errorCode: '14_012', message: 'Payment link not found', errorType: 'validation' } };
    if (method === 'GET') return { status: 200, body: link };
    if (method === 'PATCH') {
      if (link.status !== 'active') return { status: 422, body: { status: 422, errorCode: '14_030', message: 'Payment link is not active', errorType: 'validation' } };
      link.status = 'expired';
      return { status: 200, body: link };
    }
    return { status: 405, body: { status: 405, errorCode: '000', message: 'method not allowed', errorType: 'validation' } };
  });
  return Object.assign(standIn, { links, payments, addPayment: (psp: string, value: number, currency = 'EUR') => payments.set(psp, { value, currency, refunds: [] }) });
}

/**
 * Adyen's Management API v3 merchant-level webhooks (list with paging, create, PATCH, DELETE, generateHmac), shaped
 * like api-fixtures/management-webhook.json and management-generate-hmac.json. `keys` holds each webhook's current
 * HMAC key (what Adyen would sign with), so a test can sign deliveries as Adyen would after a connect.
 */
export async function startAdyenManagementStandIn(merchantAccount = 'PayrelayShop_ECOM'): Promise<ApiStandIn & { webhooks: Array<Record<string, any>>; keys: Map<string, string>; addWebhook(url: string, fields?: Record<string, unknown>): Record<string, any> }> {
  const webhooks: Array<Record<string, any>> = [];
  const keys = new Map<string, string>();
  let seq = 0;
  const make = (fields: Record<string, unknown>) => {
    seq += 1;
    const id = `S2-${(0x6933523d2772 + seq).toString(16).toUpperCase()}`;
    const template = fixture('adyen', 'api-fixtures', 'management-webhook.json');
    const links = Object.fromEntries(Object.entries(template._links as Record<string, { href: string }>).map(([name, link]) => [name, { href: link.href.replace('S2-6933523D2772', id).replace('PayrelayShop_ECOM', merchantAccount) }]));
    const webhook = { ...template, ...fields, additionalSettings: { ...template.additionalSettings, ...(fields.additionalSettings as object | undefined) }, id, hasError: false, hasPassword: false, _links: links };
    webhooks.push(webhook);
    return webhook;
  };
  const standIn = await startApiStandIn((method, url, body, headers) => {
    if (!headers['x-api-key']) return { status: 401, body: { type: 'https://docs.adyen.com/errors/security/unauthorized', title: 'Unauthorized', status: 401, errorCode: '00_401' } };
    const parsed = new URL(url, 'http://stand-in');
    const match = /^\/v3\/merchants\/([^/]+)\/webhooks(?:\/([^/]+)(\/generateHmac)?)?$/.exec(parsed.pathname);
    if (!match) return { status: 404, body: { status: 404, title: 'Not found', errorCode: '00_404' } };
    if (decodeURIComponent(match[1]!) !== merchantAccount) return { status: 403, body: { type: 'https://docs.adyen.com/errors/security/unauthorized', title: 'Forbidden', status: 403, detail: 'Not allowed', errorCode: '00_403' } };
    const [, , id, hmac] = match;
    if (!id) {
      if (method === 'GET') {
        const size = Number(parsed.searchParams.get('pageSize') ?? 10);
        const page = Number(parsed.searchParams.get('pageNumber') ?? 1);
        return { status: 200, body: { _links: {}, itemsTotal: webhooks.length, pagesTotal: Math.max(1, Math.ceil(webhooks.length / size)), data: webhooks.slice((page - 1) * size, page * size) } };
      }
      if (method === 'POST') {
        if (body?.type !== 'standard' || !body?.url || typeof body?.active !== 'boolean' || !body?.communicationFormat) return { status: 422, body: { status: 422, title: 'Invalid webhook', errorCode: '00_422', invalidFields: [{ name: 'url', message: 'type, url, active and communicationFormat are required' }] } };
        return { status: 200, body: make(body) };
      }
    }
    const webhook = webhooks.find((w) => w.id === id);
    if (!webhook) return { status: 422, body: { status: 422, title: 'Webhook not found', errorCode: '00_422' } };
    if (hmac && method === 'POST') {
      const key = crypto.randomBytes(32).toString('hex').toUpperCase();
      keys.set(webhook.id, key);
      return { status: 200, body: { ...fixture('adyen', 'api-fixtures', 'management-generate-hmac.json'), hmacKey: key } };
    }
    if (method === 'PATCH') {
      Object.assign(webhook, body, { additionalSettings: { ...webhook.additionalSettings, ...(body?.additionalSettings ?? {}) } });
      return { status: 200, body: webhook };
    }
    if (method === 'DELETE') {
      webhooks.splice(webhooks.indexOf(webhook), 1);
      return { status: 204, body: '' };
    }
    if (method === 'GET') return { status: 200, body: webhook };
    return { status: 405, body: { status: 405, title: 'Method not allowed', errorCode: '00_405' } };
  });
  return Object.assign(standIn, { webhooks, keys, addWebhook: (url: string, fields: Record<string, unknown> = {}) => make({ type: 'standard', url, active: true, communicationFormat: 'json', ...fields }) });
}

/** Coinbase Commerce charges (API 2018-03-22), shaped like api-fixtures/charge.json (`{"data":{charge}}`). */
export async function startCoinbaseStandIn(): Promise<ApiStandIn & { charges: Map<string, Record<string, any>> }> {
  const charges = new Map<string, Record<string, any>>();
  const standIn = await startApiStandIn((method, url, body, headers) => {
    if (!headers['x-cc-api-key']) return { status: 401, body: { error: { type: 'authorization_error', message: 'No API key provided' } } };
    const match = /^\/charges(?:\/([A-Z0-9]+)(\/cancel)?)?$/.exec(url);
    if (!match) return { status: 404, body: { error: { type: 'not_found', message: 'Not found' } } };
    if (method === 'POST' && !match[1]) {
      const code = crypto.randomBytes(4).toString('hex').toUpperCase();
      const base = fixture('coinbase-commerce', 'api-fixtures', 'charge.json').data;
      const charge = { ...base, id: crypto.randomUUID(), code, hosted_url: `https://commerce.coinbase.com/charges/${code}`, metadata: body.metadata, pricing: { local: body.local_price }, pricing_type: body.pricing_type, timeline: [{ status: 'NEW', time: new Date().toISOString() }], expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z') };
      charges.set(code, charge);
      return { status: 201, body: { data: charge } };
    }
    const charge = match[1] ? charges.get(match[1]) : undefined;
    if (!charge) return { status: 404, body: { error: { type: 'not_found', message: 'Charge not found' } } };
    if (method === 'GET' && !match[2]) return { status: 200, body: { data: charge } };
    if (method === 'POST' && match[2]) {
      const last = charge.timeline[charge.timeline.length - 1];
      if (last.status !== 'NEW') return { status: 400, body: { error: { type: 'invalid_request', message: 'Charge cannot be canceled' } } };
      charge.timeline.push({ status: 'CANCELED', time: new Date().toISOString() });
      return { status: 200, body: { data: charge } };
    }
    return { status: 405, body: { error: { type: 'invalid_request', message: 'method not allowed' } } };
  });
  return Object.assign(standIn, { charges });
}
