/**
 * Added latency of a session creation through the relay, over a provider with a fixed latency.
 * Runs N signed POST /v1/sessions over real HTTP (routing, validation, signature, logging, in-memory stores)
 * and N direct provider calls, and prints both medians and their difference.
 *
 *   npx tsx scripts/bench-session.ts [runs=200] [providerLatencyMs=50]
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { DEFAULT_ROUTE_RULES } from '../relay/src/app/route-rules';
import { createBreakerBoard } from '../relay/src/domain/circuit-breaker';
import type { ProviderId } from '../relay/src/domain/provider-event';
import { signShopRequest } from '../relay/src/http/request-signature';
import { sessionRoutes } from '../relay/src/http/session-routes';
import { systemClock } from '../relay/src/ports/clock';
import { FakeProvider } from '../test/helpers/fake-provider';
import { InMemoryPaymentLog, InMemorySessionStore } from '../test/helpers/in-memory-stores';

const runs = Number(process.argv[2] ?? 200);
const latencyMs = Number(process.argv[3] ?? 50);
const secret = crypto.randomBytes(24).toString('hex');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const provider = new FakeProvider({ id: 'stripe', latencyMs });
  const app = express();
  app.use(sessionRoutes({
    sessions: new InMemorySessionStore(),
    log: new InMemoryPaymentLog(),
    providers: new Map<ProviderId, FakeProvider>([['stripe', provider]]),
    rules: DEFAULT_ROUTE_RULES,
    breakers: createBreakerBoard(),
    clock: systemClock,
    ids: { sessionId: () => `ps_${crypto.randomBytes(12).toString('hex')}`, statusToken: () => `st_${crypto.randomBytes(18).toString('base64url')}` },
    config: { sessionTtlMinutes: 60, publicUrl: 'http://127.0.0.1', livemode: false },
    shopSecret: secret,
    maxBodyBytes: 256 * 1024,
  }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const direct: number[] = [];
  const relayed: number[] = [];
  for (let i = 0; i < runs + 10; i++) {
    const order = `bench-${i}`;
    const t0 = performance.now();
    await provider.createCheckout({
      relaySessionId: `direct-${i}`, merchantOrderId: order, amountMinor: 2500, currency: 'EUR', customerEmail: 'a@b.example', customerCountry: 'NL',
      method: 'card', returnUrl: 'https://shop.example/r', cancelUrl: 'https://shop.example/c', locale: null, expiresAt: Date.now() + 3_600_000,
      idempotencyKey: `direct-${i}`, webhookUrl: 'http://127.0.0.1/webhooks/stripe',
    });
    const t1 = performance.now();
    const body = JSON.stringify({
      order_id: order, order_key: 'wc_order_x', amount: 2500, currency: 'EUR', customer: { email: 'a@b.example', country: 'NL' },
      method: 'card', return_url: 'https://shop.example/r', cancel_url: 'https://shop.example/c',
    });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${base}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-payrelay-timestamp': String(ts), 'x-payrelay-signature': signShopRequest(secret, ts, 'POST', '/v1/sessions', body) },
      body,
    });
    await res.arrayBuffer();
    const t2 = performance.now();
    if (res.status !== 201) throw new Error(`relay answered ${res.status}`);
    // The first runs warm up the JIT and the HTTP keep-alive pool.
    if (i >= 10) {
      direct.push(t1 - t0);
      relayed.push(t2 - t1);
    }
  }
  server.close();
  const d = median(direct);
  const r = median(relayed);
  console.log(`session creation, ${runs} runs, provider latency ${latencyMs} ms`);
  console.log(`  provider alone (median):      ${d.toFixed(2)} ms`);
  console.log(`  through the relay (median):   ${r.toFixed(2)} ms`);
  console.log(`  added by the relay (median):  ${(r - d).toFixed(2)} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
