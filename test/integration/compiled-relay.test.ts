import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../relay/src/adapters/sqlite/open-database';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';
import { freePort } from '../helpers/relay-process';

const REPO = path.resolve(__dirname, '..', '..');
const SECRET = 'sandbox_build_test_secret_0123';

/**
 * `npm run build` output run with plain node, as the Dockerfile does, with tsx made unloadable: the relay and
 * its recorder thread must run from the compiled JavaScript alone (tsx is a dev dependency now).
 */
describe('the compiled relay (tsconfig.build.json → dist/) under plain node', () => {
  // Inside the repository so the build resolves node_modules like dist/ does; a folder of its own so a
  // developer's dist/ is left alone.
  const outDir = fs.mkdtempSync(path.join(REPO, '.build-test-'));
  const dataDir = fs.mkdtempSync(path.join(outDir, 'data-'));
  const blocker = path.join(outDir, 'no-typescript-at-run-time.js');
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('builds, stores a signed webhook through the recorder thread, and stops cleanly on SIGTERM', async () => {
    const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', outDir], { cwd: REPO, encoding: 'utf8' });
    expect(build.stderr + build.stdout).toBe('');
    expect(build.status).toBe(0);
    const entry = path.join(outDir, 'relay', 'src', 'main.js');
    expect(fs.existsSync(entry)).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'relay', 'src', 'adapters', 'recorder-thread', 'recorder-thread.js'))).toBe(true);

    // Preloaded in the process and (through execArgv) in its worker threads: loading tsx or a .ts file fails loudly.
    fs.writeFileSync(
      blocker,
      `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const found = resolve.call(this, request, ...rest);
  if (/[\\\\/]node_modules[\\\\/]tsx[\\\\/]|\\.ts$/.test(found)) throw new Error('TypeScript loaded at run time: ' + found);
  return found;
};
`,
    );
    const port = await freePort();
    const db = path.join(dataDir, 'relay.db');
    const child = spawn(process.execPath, ['--require', blocker, entry], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', PAYRELAY_PORT: String(port), PAYRELAY_HOST: '127.0.0.1', PAYRELAY_DB: db, SANDBOX_WEBHOOK_SECRET: SECRET, PAYRELAY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!out.stdout.includes('Payrelay listening')) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the compiled relay did not start:\n${out.stdout}${out.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const body = JSON.stringify({ id: 'sbx_evt_build_1', type: 'payment.paid', session_id: 'ps_build_1', payment_id: 'sbx_pay_build_1', amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(Date.now() / 1000) });
      const response = await fetch(`http://127.0.0.1:${port}/webhooks/sandbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'payrelay-sandbox-signature': signSandboxEvent(SECRET, body, Date.now()) },
        body,
      });
      expect(response.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('SIGTERM: finishing the shop write in hand, then stopping');
    const check = openDatabase(db);
    try {
      expect(check.prepare("SELECT count(*) AS n FROM webhook_events WHERE event_id = 'sbx_evt_build_1'").get()).toEqual({ n: 1 });
    } finally {
      check.close();
    }
  }, 120_000);
});
