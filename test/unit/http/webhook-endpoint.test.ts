import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookIntake } from '../../../relay/src/app/webhook-intake';
import { createWebhookEndpoint } from '../../../relay/src/http/webhook-endpoint';

/** The hot path in front of express: what it answers itself, and what it leaves to the app. */
describe('webhook endpoint', () => {
  const errors: Array<{ message: string; meta: unknown }> = [];
  const logger = { error: (message: string, meta?: unknown) => errors.push({ message, meta }), warn: () => {}, info: () => {}, debug: () => {} };
  let take: WebhookIntake['take'];
  let stored = 0;
  let server: http.Server;
  let base: string;

  beforeEach(async () => {
    errors.length = 0;
    stored = 0;
    const endpoint = createWebhookEndpoint({
      intake: { take: (...args) => take(...args) },
      clock: { now: () => 1_700_000_000_000 },
      logger,
      maxBodyBytes: 64,
      onStored: () => (stored += 1),
    });
    server = http.createServer((req, res) => {
      if (!endpoint(req, res)) res.writeHead(418).end('express');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('hands the exact bytes, the decoded provider and the headers to the intake, answers what it says, and wakes the worker', async () => {
    let seen: { provider: string; raw: string; signature: unknown; at: number } | null = null;
    take = async (provider, raw, headers, at) => {
      seen = { provider, raw: raw.toString('latin1'), signature: headers['stripe-signature'], at };
      return { status: 200, body: { received: true, results: [] } };
    };
    const answer = await fetch(`${base}/webhooks/str%69pe`, { method: 'POST', headers: { 'stripe-signature': 't=1,v1=ab' }, body: '{"a": 1}\n' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await answer.json()).toEqual({ received: true, results: [] });
    expect(seen).toEqual({ provider: 'stripe', raw: '{"a": 1}\n', signature: 't=1,v1=ab', at: 1_700_000_000_000 });
    expect(stored).toBe(1);
  });

  it('an answer other than 200 does not wake the worker', async () => {
    take = async () => ({ status: 401, body: { error: { code: 'bad_signature', message: 'no' } } });
    expect((await fetch(`${base}/webhooks/stripe`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect(stored).toBe(0);
  });

  it('a body over the limit gets 413 and never reaches the intake', async () => {
    take = async () => {
      throw new Error('must not be called');
    };
    const answer = await fetch(`${base}/webhooks/stripe`, { method: 'POST', body: 'x'.repeat(65) });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({ error: { code: 'payload_too_large', message: 'body is larger than 64 bytes' } });
  });

  it('an intake that fails answers 500 in the error shape (the provider retries) and logs why', async () => {
    take = async () => {
      throw new Error('disk on fire');
    };
    const answer = await fetch(`${base}/webhooks/stripe`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ error: { code: 'internal_error', message: 'the relay failed to handle this webhook; retry later' } });
    expect(errors).toEqual([{ message: 'webhook request failed', meta: { path: '/webhooks/stripe', error: 'Error: disk on fire' } }]);
  });

  it('leaves every other request to the app', async () => {
    take = async () => {
      throw new Error('must not be called');
    };
    for (const [method, path] of [['GET', '/webhooks/stripe'], ['POST', '/webhooks'], ['POST', '/webhooks/stripe/x'], ['POST', '/v1/sessions'], ['POST', '/webhooksx/stripe']]) {
      expect([method, path, (await fetch(`${base}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) })).status]).toEqual([method, path, 418]);
    }
  });
});
