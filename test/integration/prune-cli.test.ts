import fs from 'node:fs';
import { createToolTestStore, type ToolTestStore } from '../helpers/test-store';
import { runCli } from '../helpers/run-cli';

const DAY = 24 * 3600_000;

/** On the SQLite file, and under PAYRELAY_TEST_STORE=postgres on a schema of its own (PAYRELAY_DATABASE_URL). */
describe('npm run prune (and --dry-run) as a process', () => {
  let store: ToolTestStore;
  beforeAll(() => {
    store = createToolTestStore();
    const { stores } = store;
    const now = Date.now();
    const event = (eventId: string, receivedAt: number) =>
      stores.inbox.insertIfNew({ provider: 'sandbox', eventId, eventType: 'payment.paid', sessionId: null, merchantOrderId: '7', rawBody: Buffer.from('{}'), verification: 'signature', outcome: 'ignored', receivedAt });
    event('evt_old_1', now - 60 * DAY);
    event('evt_old_2', now - 50 * DAY);
    event('evt_recent', now - 10 * DAY);
    stores.inbox.recordRejection('sandbox', 'bad_signature', 'no', now - 90 * DAY);
    const done = stores.outbox.enqueue('7', { kind: 'order_note', ref: 'sandbox:evt_old_1', sessionId: null, text: 'n' }, now - 60 * DAY);
    stores.outbox.markDone(done, now - 60 * DAY);
    stores.outbox.enqueue('7', { kind: 'order_note', ref: 'sandbox:evt_old_2', sessionId: null, text: 'n' }, now - 60 * DAY); // pending: kept
  });
  afterAll(() => store.close());

  const count = (sql: string) => store.sql.get<{ n: number }>(sql)!.n;

  it('--help says what it deletes and keeps', async () => {
    const run = await runCli('prune', ['--help'], store.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: npm run prune -- [options]');
    expect(run.stdout).toContain('--dry-run');
    expect(run.stdout).toContain('Payment sessions and the payment log are kept');
  });

  it('--dry-run counts exactly what a run deletes, and deletes nothing', async () => {
    const run = await runCli('prune', ['--dry-run'], store.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('would prune 3 webhook events and rejections, 1 finished outbox commands and 0 settled parked events older than 45 days');
    expect(run.stdout).toContain('Dry run: nothing was deleted.');
    expect(count('SELECT COUNT(*) AS n FROM webhook_events')).toBe(3);
    expect(count('SELECT COUNT(*) AS n FROM outbox')).toBe(2);
    // PAYRELAY_DATABASE_URL wins over PAYRELAY_DB: no SQLite file appears beside a fleet.
    if (store.kind === 'postgres') expect(fs.existsSync(store.env.PAYRELAY_DB)).toBe(false);
  });

  it('a run deletes what the dry run counted, keeps the recent event and the pending command', async () => {
    const run = await runCli('prune', [], store.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('pruned 3 webhook events and rejections, 1 finished outbox commands and 0 settled parked events');
    expect(count('SELECT COUNT(*) AS n FROM webhook_events')).toBe(1);
    expect(count("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")).toBe(1);
    expect(count('SELECT COUNT(*) AS n FROM outbox')).toBe(1);
  });
});
