import { DEFAULT_PRUNE_PACE, FIRST_PRUNE_PACE, nextPrunePace, type PrunePacePolicy } from '../../../relay/src/domain/prune-pace';

const policy: PrunePacePolicy = { targetBatchMs: 4, share: 0.1, minRows: 20, maxRows: 1000, minPauseMs: 5 };

describe('a prune beside a live relay keeps to a bounded share of the write lock', () => {
  test('it sleeps nine times as long as a batch took: the prune works 10% of the time', () => {
    expect(nextPrunePace({ rows: 100, busyMs: 4 }, policy).pauseMs).toBeCloseTo(36);
    expect(nextPrunePace({ rows: 100, busyMs: 40 }, policy).pauseMs).toBeCloseTo(360);
    const { rows, busyMs } = { rows: 100, busyMs: 7 };
    const { pauseMs } = nextPrunePace({ rows, busyMs }, policy);
    expect(busyMs / (busyMs + pauseMs)).toBeCloseTo(policy.share);
  });

  test('never less than the pause that lets the relay take the lock, however quick the batch', () => {
    expect(nextPrunePace({ rows: 100, busyMs: 0.1 }, policy).pauseMs).toBe(5);
    expect(nextPrunePace({ rows: 100, busyMs: 0 }, policy).pauseMs).toBe(5);
  });

  test('acks slow down (the same rows take longer): smaller batches and longer pauses', () => {
    const quiet = nextPrunePace({ rows: 200, busyMs: 4 }, policy);
    const busy = nextPrunePace({ rows: 200, busyMs: 8 }, policy);
    expect(quiet.rows).toBe(200);
    expect(busy.rows).toBe(100);
    expect(busy.pauseMs).toBeGreaterThan(quiet.pauseMs);
  });

  test('the relay is idle (batches quicker than the target): bigger batches, up to the ceiling', () => {
    expect(nextPrunePace({ rows: 100, busyMs: 3 }, policy).rows).toBe(133);
    expect(nextPrunePace({ rows: 800, busyMs: 1 }, policy).rows).toBe(1000);
  });

  test('one odd batch moves the size by at most a factor of two, never below the floor', () => {
    expect(nextPrunePace({ rows: 400, busyMs: 400 }, policy).rows).toBe(200);
    expect(nextPrunePace({ rows: 100, busyMs: 0.01 }, policy).rows).toBe(200);
    expect(nextPrunePace({ rows: 30, busyMs: 1000 }, policy).rows).toBe(20);
  });

  test('a steady rate settles on the batch that fits the target', () => {
    // 25 rows per ms (the relay idle, a million events): from the first pace to 100 rows, 4 ms.
    let pace = FIRST_PRUNE_PACE(policy);
    for (let i = 0; i < 10; i += 1) pace = nextPrunePace({ rows: pace.rows, busyMs: pace.rows / 25 }, policy);
    expect(pace.rows).toBe(100);
    expect(pace.pauseMs).toBeCloseTo(36);
    expect(DEFAULT_PRUNE_PACE).toEqual(policy);
  });
});
