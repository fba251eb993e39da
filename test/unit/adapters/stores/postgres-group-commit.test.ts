import { connectPg, sqlState, type PgDb } from '../../../../relay/src/adapters/postgres/pg-database';
import { openPostgres } from '../../../../relay/src/adapters/postgres/open-postgres';
import { createPostgresUnitOfWork } from '../../../../relay/src/adapters/postgres/postgres-unit-of-work';
import { createTestSchema, TEST_STORE, type TestSchema } from '../../../helpers/test-store';

/** PostgreSQL's group commit (SQLite's has group-commit.test.ts); runs in the PostgreSQL pass only. */
(TEST_STORE === 'postgres' ? describe : describe.skip)('PostgreSQL group commit', () => {
  let schema: TestSchema;
  let db: PgDb;
  beforeEach(() => {
    schema = createTestSchema();
    db = openPostgres(schema.url, { lockTimeoutMs: 200 });
  });
  afterEach(() => {
    db.close();
    schema.drop();
  });
  const note = (text: string) => () => db.get<{ id: number }>("INSERT INTO payment_log (at, kind, message) VALUES (1, 'error', $1) RETURNING id", [text])!.id;
  const messages = () => db.all<{ message: string }>('SELECT message FROM payment_log ORDER BY id').map((row) => row.message);

  it('work queued in one turn commits together; an item that throws undoes only itself', async () => {
    const unit = createPostgresUnitOfWork(db);
    const outcomes = await Promise.allSettled([
      unit.commitDurably(note('one')),
      unit.commitDurably(() => {
        note('half done')();
        throw new Error('bug in item two');
      }),
      unit.commitDurably(note('three')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(messages()).toEqual(['one', 'three']);
    // Each answer is its committed row's, not one from the attempt that was rolled back.
    const committed = db.all<{ id: number }>('SELECT id FROM payment_log ORDER BY id').map((row) => row.id);
    expect([outcomes[0], outcomes[2]].map((o) => (o as PromiseFulfilledResult<number>).value)).toEqual(committed);
  });

  it('an item that meets a row another relay holds does not hold up the batch: it runs again alone, after the others committed', async () => {
    db.run("INSERT INTO payment_log (at, kind, message) VALUES (1, 'error', 'held')");
    const other = connectPg(schema.url);
    other.exec("BEGIN; UPDATE payment_log SET message = 'held by the other relay' WHERE message = 'held'");
    const unit = createPostgresUnitOfWork(db);
    const outcomes = await Promise.allSettled([
      unit.commitDurably(() => db.run("UPDATE payment_log SET message = 'mine' WHERE message = 'held'")),
      unit.commitDurably(note('unrelated')),
    ]);
    other.exec('ROLLBACK');
    other.close();
    // The unrelated item committed; the blocked one gave up after the batch's 50 ms, then after the connection's
    // own lock_timeout alone (200 ms here), and says why.
    expect(outcomes[1]).toEqual({ status: 'fulfilled', value: expect.any(Number) });
    expect(outcomes[0].status).toBe('rejected');
    expect(sqlState((outcomes[0] as PromiseRejectedResult).reason)).toBe('55P03');
    expect(messages()).toEqual(['held', 'unrelated']);
  });
});
