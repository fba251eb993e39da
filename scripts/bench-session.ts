/**
 * Added latency of a session creation through the relay, over a provider with a fixed latency.
 * Runs N signed POST /v1/sessions over real HTTP against the whole relay (routing, validation, signature, the
 * SQLite session store and payment log in a temp file) and N direct provider calls, and prints both medians and
 * their difference.
 *
 *   npx tsx scripts/bench-session.ts [runs=200] [providerLatencyMs=50]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../relay/src/adapters/winston-logger';
import { loadConfig } from '../relay/src/config/load-config';
import type { PaymentProvider } from '../relay/src/ports/payment-provider';
import { startRelay } from '../relay/src/relay';
import { performance } from 'node:perf_hooks';
import type { ProviderId } from '../relay/src/domain/provider-event';
import { signShopRequest } from '../relay/src/http/request-signature';
import { FakeProvider } from '../test/helpers/fake-provider';

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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-bench-session-'));
  const config = loadConfig({ PAYRELAY_PORT: '0', PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: path.join(dir, 'relay.db'), PAYRELAY_SHOP_SECRET: secret, PAYRELAY_SANDBOX: '0' });
  const relay = await startRelay(config, { providers: new Map<ProviderId, PaymentProvider>([['stripe', provider]]), logger: silentLogger, background: false });
  const base = relay.url;

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
  await relay.close();
  fs.rmSync(dir, { recursive: true, force: true });
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
