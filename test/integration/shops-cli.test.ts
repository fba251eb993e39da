import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connectPg } from '../../relay/src/adapters/postgres/pg-database';
import { callSigned } from '../helpers/shops-relay';
import { freePort, startRelayProcess, type RelayProcess } from '../helpers/relay-process';
import { createTestSchema, TEST_POSTGRES_URL, TEST_STORE, type TestSchema } from '../helpers/test-store';

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '..', '..');
const SECRET = 'alpha_shop_secret_from_the_cli_0123456789';

/** `npm run shops:<command> -- …` as the operator runs it (node --import tsx scripts/shops.ts <command>). */
async function shops(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(REPO, 'scripts', 'shops.ts'), ...args], { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run shops:add / shops:list / shops:remove, then the relay serves the shop', () => {
  let dir: string;
  let env: Record<string, string>;
  let relay: RelayProcess | null = null;
  // On PostgreSQL the registry is in the main schema and each shop gets a schema of its own beside it.
  let schema: TestSchema | null = null;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-shops-cli-'));
    schema = TEST_STORE === 'postgres' ? createTestSchema() : null;
    env = { PAYRELAY_DB: path.join(dir, 'relay.db'), PAYRELAY_LOG_LEVEL: 'error', ...(schema ? { PAYRELAY_DATABASE_URL: schema.url } : {}) };
  });
  afterEach(async () => {
    if (relay) {
      relay.child.kill('SIGTERM');
      await relay.exited;
      relay = null;
    }
    schema?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Whether shop `id` has its own store yet: its file beside the main one, or its schema with the relay's tables. */
  const shopStoreExists = (id: string): boolean => {
    if (!schema) return fs.existsSync(path.join(dir, 'shops', `${id}.db`));
    const db = connectPg(TEST_POSTGRES_URL);
    try {
      return db.get<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'outbox'", [`${schema.name}_shop_${id}`])!.n === 1;
    } finally {
      db.close();
    }
  };

  const addAlpha = (...extra: string[]) =>
    shops(env, 'add', '--id', 'alpha', '--wc-url', 'http://127.0.0.1:9/', '--wc-key', 'ck_alpha_key_0000000000000000000000000000', '--wc-secret', 'cs_alpha_secret_00000000000000000000000000', '--shop-secret', SECRET, ...extra);

  test('--help says how, adds a shop, lists it without secrets, refuses a repeat, removes it', async () => {
    const help = await shops(env, 'add', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('npm run shops:add -- --id <shop>');

    const added = await addAlpha('--set', 'STRIPE_WEBHOOK_SECRET=whsec_alpha_secret_value');
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toContain('/webhooks/alpha/<provider>');
    expect(added.stdout + added.stderr).not.toContain(SECRET);

    const listed = await shops(env, 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('alpha  http://127.0.0.1:9');
    expect(listed.stdout).toContain('STRIPE_WEBHOOK_SECRET');
    expect(listed.stdout).toContain(schema ? `schema ${schema.name}_shop_alpha` : `database ${path.join(dir, 'shops', 'alpha.db')}`);
    for (const secret of [SECRET, 'whsec_alpha_secret_value', 'cs_alpha_secret_0000']) expect(listed.stdout).not.toContain(secret);

    const again = await addAlpha();
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a shop "alpha" is registered already');

    expect((await shops(env, 'remove', '--id', 'alpha')).code).toBe(0);
    expect((await shops(env, 'list')).stdout).toContain('No shops registered');
    expect((await shops(env, 'remove', '--id', 'alpha')).code).toBe(1);
  }, 60_000);

  test('refuses a shop with every problem listed: bad id, a relay setting, a short secret, a secret already used', async () => {
    expect((await addAlpha()).code).toBe(0);
    const bad = await shops(env, 'add', '--id', 'Beta!', '--wc-url', 'http://127.0.0.1:9', '--shop-secret', SECRET, '--set', 'PAYRELAY_PORT=1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('the shop id "Beta!"');
    expect(bad.stderr).toContain('PAYRELAY_PORT is a setting of the relay');
    expect(bad.stderr).toContain("already another shop's");
    const short = await shops(env, 'add', '--id', 'beta', '--wc-url', 'http://127.0.0.1:9', '--wc-key', 'ck_1', '--wc-secret', 'cs_1', '--shop-secret', 'short');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('PAYRELAY_SHOP_SECRET');
    expect((await shops(env, 'list')).stdout).not.toContain('beta');
  }, 60_000);

  test('two shops:add at once with one shop secret (two terminals, or the shops API of two relays): one added, the other refused', async () => {
    // The main database exists before the race (the first use creates and migrates it).
    expect((await shops(env, 'list')).code).toBe(0);
    const add = (id: string) =>
      shops(env, 'add', '--id', id, '--wc-url', 'http://127.0.0.1:9/', '--wc-key', 'ck_race_key_00000000000000000000000000000', '--wc-secret', 'cs_race_secret_0000000000000000000000000', '--shop-secret', SECRET);
    const runs = await Promise.all([add('alpha'), add('beta')]);
    expect(runs.map((run) => run.code).sort()).toEqual([0, 1]);
    expect(runs.find((run) => run.code === 1)!.stderr).toContain("that shop secret is already another shop's");
    const listed = (await shops(env, 'list')).stdout;
    expect(['alpha', 'beta'].filter((id) => listed.includes(`${id}  http://127.0.0.1:9`))).toHaveLength(1);
  }, 60_000);

  test('a relay started on that database serves the added shop: its banner names it, its signed API answers', async () => {
    expect((await addAlpha()).code).toBe(0);
    const port = await freePort();
    relay = startRelayProcess({ ...env, PAYRELAY_PORT: String(port), PAYRELAY_HOST: '127.0.0.1', PAYRELAY_PUBLIC_URL: `http://127.0.0.1:${port}` }, { inherit: true });
    await relay.listening;
    const base = `http://127.0.0.1:${port}`;
    // The banner's shop lines follow the first one, maybe in a later chunk.
    for (let waited = 0; !relay.out.stdout.includes('shop alpha:') && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(relay.out.stdout).toContain(`shop alpha:  webhooks ${base}/webhooks/alpha/<provider>`);
    expect(shopStoreExists('alpha')).toBe(true);
    // Its WooCommerce (port 9) does not answer: said at start, for that shop, with where its readiness is.
    for (let waited = 0; !relay.out.stderr.includes('WARNING: shop alpha:') && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(relay.out.stderr).toContain('WARNING: shop alpha: ');
    expect(relay.out.stderr).toContain(`${base}/shops/alpha/readyz says 503`);
    expect((await callSigned(base, 'POST', '/v1/ping', SECRET, 'alpha', {})).status).toBe(200);
    expect((await callSigned(base, 'POST', '/v1/ping', SECRET, null, {})).status).toBe(401);

    // Added while it runs: served once the relay has read the registry again (every 5 s), no restart.
    const betaSecret = 'beta_shop_secret_from_the_cli_01234567890';
    const added = await shops(env, 'add', '--id', 'beta', '--wc-url', 'http://127.0.0.1:9', '--wc-key', 'ck_beta_key_00000000000000000000000000000', '--wc-secret', 'cs_beta_secret_0000000000000000000000000', '--shop-secret', betaSecret);
    expect(added.code).toBe(0);
    let status = 0;
    for (let waited = 0; status !== 200 && waited < 15_000; waited += 100) {
      status = (await callSigned(base, 'POST', '/v1/ping', betaSecret, 'beta', {})).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  }, 60_000);
});
