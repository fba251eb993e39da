#!/usr/bin/env node
// The second entry point of the storage suites: the same test files, run on PostgreSQL (PAYRELAY_TEST_STORE).
// Skipped with one line when PostgreSQL or its driver is not there, unless PAYRELAY_TEST_REQUIRE_POSTGRES=1 (CI).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

/** Test files and folders that touch storage; the Chromium e2e suites stay SQLite-only. */
const STORAGE_SUITES = [
  'test/unit/adapters/stores/',
  'test/unit/app/parked-events.test.ts',
  // Through the relay harness (test/helpers/relay-harness.ts, ops-relay.ts): a relay on a schema of its own.
  ...[
    'webhook-to-shop', 'early-events', 'mollie-ping-flood', 'mollie-notification', 'expiry-and-reconcile', 'ops-endpoints',
    'session-api', 'refunds-from-shop', 'holds-and-disputes', 'dead-letters', 'replay-event', 'dashboard', 'monitoring', 'webhook-alarms',
    'adyen-webhooks', 'coinbase-commerce-webhooks', 'adyen-coinbase-reconcile', 'paypal-capture', 'providers-connect',
    // The outbox worker as a pool (issue 10's drain): claims, leases and releases on each store.
    'outbox-pool',
    // Many shops (test/helpers/shops-relay.ts): a schema per shop beside the main one, the registry in the main one.
    'many-shops', 'shop-fairness', 'shops-cli', 'shop-admin-api', 'shops-fleet',
    // The operator's tools as processes beside a running relay: its schema (PAYRELAY_DATABASE_URL), or a shop's (--shop).
    'cli-tools', 'prune-cli',
    // The recorder process: answered after COMMIT, duplicates stored once (PostgreSQL only).
    'postgres-recorder',
    // Three relay processes on one database behind a round-robin proxy (PostgreSQL only).
    'fleet',
    // Refunds asked of two relay processes on one database at once (PostgreSQL only).
    'refunds-fleet',
    // Refunds around the provider's answer: a dashboard refund meanwhile, and a relay stopped while it waited.
    'refunds-in-flight', 'interrupted-refunds',
  ].map((name) => `test/integration/${name}.test.ts`),
];

const url = process.env.PAYRELAY_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.PAYRELAY_TEST_REQUIRE_POSTGRES === '1';

function unavailable() {
  try {
    const Client = require('pg-native');
    const client = new Client();
    client.connectSync(url);
    client.querySync('SELECT 1');
    client.end();
    return null;
  } catch (error) {
    return String(error && error.message ? error.message : error).split('\n')[0];
  }
}

const why = unavailable();
if (why) {
  const line = `PostgreSQL run of the storage suites skipped: cannot reach ${url} with pg-native (${why}); set PAYRELAY_TEST_REQUIRE_POSTGRES=1 to make this fail`;
  console.log(required ? line.replace('skipped', 'FAILED') : line);
  process.exit(required ? 1 : 0);
}
const started = Date.now();
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...STORAGE_SUITES, ...process.argv.slice(2)], {
  cwd: path.resolve(__dirname, '..'),
  env: { ...process.env, PAYRELAY_TEST_STORE: 'postgres' },
  stdio: 'inherit',
});
console.log(`PostgreSQL run of the storage suites: ${jest.status === 0 ? 'passed' : 'failed'} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(jest.status ?? 1);
