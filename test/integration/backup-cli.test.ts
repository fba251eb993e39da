import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { newSandboxEventId } from '../../relay/src/providers/sandbox/sandbox-event-schema';
import { signSandboxEvent } from '../../relay/src/providers/sandbox/sandbox-signature';
import { freePort, startRelayProcess, type RelayProcess } from '../helpers/relay-process';
import { runCli } from '../helpers/run-cli';

const SECRET = 'sandbox_secret_for_the_backup_test';

/**
 * `npm run backup` while a real relay (its own process) takes a burst of signed webhooks: the copy opens, passes
 * integrity_check, and holds every event the relay acknowledged before the backup began.
 */
describe('npm run backup beside a relay receiving webhooks', () => {
  let dir: string;
  let relay: RelayProcess;
  let url: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-backup-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = { PAYRELAY_DB: path.join(dir, 'relay.db'), PAYRELAY_PORT: String(port), PAYRELAY_HOST: '127.0.0.1', SANDBOX_WEBHOOK_SECRET: SECRET, PAYRELAY_LOG_LEVEL: 'error' };
    relay = startRelayProcess({ PATH: process.env.PATH ?? '', ...env });
    await relay.listening;
  }, 30_000);
  afterAll(async () => {
    relay.child.kill('SIGTERM');
    await relay.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One signed sandbox webhook (for a session the relay does not know: stored and parked, acknowledged 200). */
  async function send(): Promise<{ id: string; status: number }> {
    const id = newSandboxEventId();
    const body = JSON.stringify({ id, type: 'payment.paid', session_id: `ps_backup_${id}`, payment_id: `sbx_pay_${id}`, amount: 1999, currency: 'EUR', livemode: false, created: Math.floor(Date.now() / 1000) });
    const response = await fetch(`${url}/webhooks/sandbox`, { method: 'POST', headers: { 'content-type': 'application/json', 'payrelay-sandbox-signature': signSandboxEvent(SECRET, body, Date.now()) }, body });
    await response.arrayBuffer();
    return { id, status: response.status };
  }

  it('the copy opens, passes integrity_check and holds every event acknowledged before it began', async () => {
    const acknowledged: string[] = [];
    const refused: number[] = [];
    let stop = false;
    const sender = async () => {
      while (!stop) {
        const { id, status } = await send();
        if (status === 200) acknowledged.push(id);
        else refused.push(status);
      }
    };
    const senders = Array.from({ length: 8 }, sender);
    while (acknowledged.length < 300) await new Promise((resolve) => setImmediate(resolve));

    const before = [...acknowledged];
    const target = path.join(dir, 'copy.db');
    const backup = runCli('backup', [target], env);
    const run = await backup;
    const duringBackup = acknowledged.length - before.length;
    stop = true;
    await Promise.all(senders);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Backed up .*relay\.db to .*copy\.db: \d+ pages, [\d.]+ MiB, schema version \d+, in \d+ ms\./);
    expect(run.stdout).toContain('The copy opens and passes PRAGMA integrity_check.');
    expect(refused).toEqual([]);
    // The burst went on while the backup ran (the tool's own start-up alone takes longer than a few webhooks).
    expect(duringBackup).toBeGreaterThan(0);

    const copy = new Database(target, { readonly: true, fileMustExist: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const stored = new Set((copy.prepare("SELECT event_id FROM webhook_events WHERE provider = 'sandbox'").all() as Array<{ event_id: string }>).map((row) => row.event_id));
    copy.close();
    expect(before.filter((id) => !stored.has(id))).toEqual([]);
    expect(run.stdout).toMatch(new RegExp(`webhook_events\\s+${stored.size}\\b`));
    expect(fs.existsSync(`${target}-wal`)).toBe(false);
    console.log(`backup test: ${before.length} acknowledged before, ${duringBackup} during the backup; the copy holds ${stored.size}`);
  }, 60_000);

  it('refuses to overwrite a file without --force, and says why when its folder does not exist', async () => {
    const existing = path.join(dir, 'exists.db');
    fs.writeFileSync(existing, 'x');
    const refused = await runCli('backup', [existing], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exists already; give another file, or --force to overwrite it.');
    const nowhere = await runCli('backup', [path.join(dir, 'no', 'such', 'folder', 'copy.db')], env);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('does not exist');
    const help = await runCli('backup', ['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run backup -- <file> [options]');
  });
});
