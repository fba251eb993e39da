/**
 * The PostgreSQL recorder process alone (no HTTP): webhooks found by the provider's ids against webhooks that name
 * our session, interleaved round by round so the machine's noise hits both. Each event is a 'paid' for a session
 * of its own (same writes either way); the only difference is how its session is found: by our id (one locked
 * read, FOR UPDATE by id) or by the provider's session id. Prints events/s of each and the ratio refs/own: below 1
 * by what the provider-id path costs more.
 *
 *   npm run bench:recorder -- [eventsPerRound=2000] [rounds=3] [inFlight=50]
 *
 * PAYRELAY_DATABASE_URL (default the tests' database, postgres://postgres@127.0.0.1:5432/test); works in a
 * scratch schema, dropped after.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connectPg } from '../relay/src/adapters/postgres/pg-database';
import { openPostgres } from '../relay/src/adapters/postgres/open-postgres';
import { createPostgresSessionStore } from '../relay/src/adapters/postgres/postgres-session-store';
import { createProcessRecorder } from '../relay/src/adapters/recorder-process/process-recorder';
import { silentLogger } from '../relay/src/adapters/winston-logger';
import type { ProviderEvent } from '../relay/src/domain/provider-event';
import type { RemoteRecorder } from '../relay/src/adapters/remote-recorder/remote-recorder';
import { aSession } from '../test/helpers/builders';

const PER_ROUND = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);
const IN_FLIGHT = Number(process.argv[4] ?? 50);
const URL = process.env.PAYRELAY_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WARMUP = 200;

type Lookup = 'own' | 'refs';

const sessionId = (lookup: Lookup, round: number, i: number) => `ps_bench_${lookup}_${round}_${i}`;

function seed(schema: string): void {
  const db = openPostgres(URL, { schema });
  const sessions = createPostgresSessionStore(db);
  const now = Date.now();
  db.transaction(() => {
    for (let round = -1; round < ROUNDS; round++) {
      for (const lookup of ['own', 'refs'] as const) {
        const count = round < 0 ? WARMUP : PER_ROUND;
        for (let i = 0; i < count; i++) {
          const id = sessionId(lookup, round, i);
          sessions.insert({
            ...aSession({ id, merchantOrderId: `${lookup}-${round}-${i}`, providerSessionId: `cs_${id}`, status: 'pending', createdAt: now, expiresAt: now + 3600_000, updatedAt: now }),
            idempotencyKey: null,
            attempt: 1,
          });
        }
      }
    }
  });
  db.exec('ANALYZE');
  db.close();
}

/** Stripe's checkout.session.completed as the adapter maps it; `own`: with our id from its metadata, `refs`: without. */
function paidEvent(lookup: Lookup, round: number, i: number): ProviderEvent {
  const id = sessionId(lookup, round, i);
  return {
    provider: 'stripe',
    eventId: `evt_${id}`,
    eventType: 'checkout.session.completed',
    status: 'paid',
    providerSessionId: `cs_${id}`,
    ...(lookup === 'own' ? { relaySessionId: id } : {}),
    providerPaymentId: `pi_${id}`,
    amountMinor: 1999,
    currency: 'EUR',
    livemode: false,
    occurredAt: Date.now(),
  };
}

/** Events/s of `count` events through the recorder, `IN_FLIGHT` at a time. */
async function run(recorder: RemoteRecorder, lookup: Lookup, round: number, count: number): Promise<number> {
  const raw = Buffer.from('{"bench":true}');
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const [outcome] = await recorder.recordEvents([paidEvent(lookup, round, i)], raw, Date.now());
      if (outcome.outcome !== 'applied') throw new Error(`event ${i} (${lookup}) was ${outcome.outcome}, not applied`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return count / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const schema = `payrelay_bench_${crypto.randomBytes(4).toString('hex')}`;
  seed(schema);
  const recorder = createProcessRecorder({ databaseUrl: URL, schema, lockTimeoutMs: 5000, livemode: false }, silentLogger);
  try {
    await run(recorder, 'own', -1, WARMUP);
    await run(recorder, 'refs', -1, WARMUP);
    const rates: Record<Lookup, number[]> = { own: [], refs: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always runs on a warmer (or more crowded) machine.
      const order: Lookup[] = round % 2 === 0 ? ['own', 'refs'] : ['refs', 'own'];
      for (const lookup of order) rates[lookup].push(await run(recorder, lookup, round, PER_ROUND));
      console.log(`round ${round + 1}: own id ${rates.own[round].toFixed(0)}/s, provider ids ${rates.refs[round].toFixed(0)}/s`);
    }
    const own = median(rates.own);
    const refs = median(rates.refs);
    console.log(`median of ${ROUNDS} rounds of ${PER_ROUND} events, ${IN_FLIGHT} in flight: own id ${own.toFixed(0)}/s, provider ids ${refs.toFixed(0)}/s, refs/own ${(refs / own).toFixed(2)}`);
  } finally {
    await recorder.close();
    const admin = connectPg(URL);
    admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    admin.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
