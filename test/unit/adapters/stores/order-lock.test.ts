import { createInProcessOrderLock } from '../../../../relay/src/adapters/in-process-order-lock';
import { createPostgresOrderLock } from '../../../../relay/src/adapters/postgres/postgres-order-lock';
import type { OrderLock } from '../../../../relay/src/ports/order-lock';
import { openSharedTestDatabase, TEST_STORE } from '../../../helpers/test-store';

/** A holder that keeps the lock until `release()`; `started` resolves once its work runs. */
function holder(lock: OrderLock, key: string, events: string[], name: string, waitMs = 5_000) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const done = lock.run(key, waitMs, async () => {
    events.push(`${name} starts`);
    started();
    await held;
    events.push(`${name} ends`);
    return name;
  });
  return { release, running, done };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('one holder per key within a relay (in-process lock)', () => {
  it('holders of one key run one after another, first come first served; other keys do not wait', async () => {
    const lock = createInProcessOrderLock();
    const events: string[] = [];
    const a = holder(lock, 'refund:42', events, 'a');
    const b = holder(lock, 'refund:42', events, 'b');
    const c = holder(lock, 'refund:42', events, 'c');
    const other = holder(lock, 'refund:43', events, 'other');
    await Promise.all([a.running, other.running]);
    await turn();
    expect(events).toEqual(['a starts', 'other starts']);
    a.release();
    await b.running;
    b.release();
    c.release();
    other.release();
    expect(await Promise.all([a.done, b.done, c.done, other.done])).toEqual([
      { acquired: true, value: 'a' },
      { acquired: true, value: 'b' },
      { acquired: true, value: 'c' },
      { acquired: true, value: 'other' },
    ]);
    expect(events.filter((e) => !e.startsWith('other'))).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
  });

  it('a waiter whose wait runs out is refused and never runs; the one behind it still gets its turn', async () => {
    const lock = createInProcessOrderLock();
    const events: string[] = [];
    const a = holder(lock, 'refund:42', events, 'a');
    const impatient = holder(lock, 'refund:42', events, 'impatient', 50);
    const patient = holder(lock, 'refund:42', events, 'patient');
    expect(await impatient.done).toEqual({ acquired: false });
    a.release();
    await patient.running;
    patient.release();
    expect(await patient.done).toEqual({ acquired: true, value: 'patient' });
    expect(events).toEqual(['a starts', 'a ends', 'patient starts', 'patient ends']);
  });

  it('a holder whose work throws lets go of the key', async () => {
    const lock = createInProcessOrderLock();
    await expect(lock.run('refund:42', 1000, async () => Promise.reject(new Error('bug')))).rejects.toThrow('bug');
    expect(await lock.run('refund:42', 0, async () => 'next')).toEqual({ acquired: true, value: 'next' });
  });
});

const onPostgres = TEST_STORE === 'postgres' ? describe : describe.skip;

onPostgres('PostgreSQL: one holder per key across relays (two connections to one schema)', () => {
  let shared: ReturnType<typeof openSharedTestDatabase>;
  beforeEach(() => (shared = openSharedTestDatabase()));
  afterEach(() => shared.close());

  it('a key held by one relay is waited for by the other, which then runs; other keys do not wait', async () => {
    const [a, b] = shared.connections;
    const onA = createPostgresOrderLock(a.pg!);
    const onB = createPostgresOrderLock(b.pg!);
    const events: string[] = [];
    const first = holder(onA, 'refund:42', events, 'a');
    await first.running;
    const second = holder(onB, 'refund:42', events, 'b');
    expect(await onB.run('refund:43', 0, async () => 'other')).toEqual({ acquired: true, value: 'other' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toEqual(['a starts']);
    first.release();
    await second.running;
    second.release();
    expect(await Promise.all([first.done, second.done])).toEqual([{ acquired: true, value: 'a' }, { acquired: true, value: 'b' }]);
    expect(events).toEqual(['a starts', 'a ends', 'b starts', 'b ends']);
  });

  it('two requests in one relay take turns too (PostgreSQL would let one connection take its own lock twice)', async () => {
    const lock = createPostgresOrderLock(shared.connections[0].pg!);
    const events: string[] = [];
    const first = holder(lock, 'refund:42', events, 'first');
    const second = holder(lock, 'refund:42', events, 'second');
    await first.running;
    await turn();
    expect(events).toEqual(['first starts']);
    first.release();
    await second.running;
    second.release();
    await Promise.all([first.done, second.done]);
    expect(events).toEqual(['first starts', 'first ends', 'second starts', 'second ends']);
  });

  it('the other relay gives up after its wait, and runs nothing', async () => {
    const [a, b] = shared.connections;
    const events: string[] = [];
    const first = holder(createPostgresOrderLock(a.pg!), 'refund:42', events, 'a');
    await first.running;
    expect(await createPostgresOrderLock(b.pg!).run('refund:42', 100, async () => void events.push('b runs'))).toEqual({ acquired: false });
    first.release();
    await first.done;
    expect(events).toEqual(['a starts', 'a ends']);
  });

  it('a relay that dies holding a key (its connection ends) holds nobody up', async () => {
    const [a, b] = shared.connections;
    const events: string[] = [];
    const dying = holder(createPostgresOrderLock(a.pg!), 'refund:42', events, 'dying');
    await dying.running;
    a.pg!.close();
    expect(await createPostgresOrderLock(b.pg!).run('refund:42', 2_000, async () => 'taken over')).toEqual({ acquired: true, value: 'taken over' });
    // The dead holder's own unlock finds no connection, and its work's answer still comes back.
    dying.release();
    expect(await dying.done).toEqual({ acquired: true, value: 'dying' });
  });
});
