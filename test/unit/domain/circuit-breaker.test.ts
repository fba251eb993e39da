import {
  BreakerBoard,
  CLOSED,
  DEFAULT_BREAKER_POLICY,
  recordFailure,
  recordSuccess,
  type BreakerPolicy,
  type BreakerState,
} from '../../../relay/src/domain/circuit-breaker';

const policy: BreakerPolicy = { consecutiveFailures: 3, failureRate: 0.5, windowSize: 10, minimumCalls: 6, coolDownMs: 30_000, probeTimeoutMs: 60_000 };
const T0 = 1_000_000;

describe('circuit breaker', () => {
  test('opens after N consecutive failures, skips during the cool-down, probes once, closes on success', () => {
    const board = new BreakerBoard(policy);
    for (let i = 0; i < 2; i++) {
      expect(board.tryAcquire('stripe', T0)).toBe(true);
      board.failure('stripe', T0);
    }
    expect(board.state('stripe').phase).toBe('closed');
    board.tryAcquire('stripe', T0);
    board.failure('stripe', T0);
    expect(board.state('stripe')).toMatchObject({ phase: 'open', why: '3 failures in a row' });

    expect(board.view('stripe', T0 + 29_999)).toMatchObject({ available: false });
    expect(board.tryAcquire('stripe', T0 + 29_999)).toBe(false);

    expect(board.view('stripe', T0 + 30_000)).toEqual({ available: true, probe: true });
    expect(board.tryAcquire('stripe', T0 + 30_000)).toBe(true);
    expect(board.state('stripe').phase).toBe('half_open');
    // Only one probe at a time.
    expect(board.tryAcquire('stripe', T0 + 30_001)).toBe(false);
    board.success('stripe');
    expect(board.state('stripe')).toEqual(CLOSED);
    expect(board.tryAcquire('stripe', T0 + 30_002)).toBe(true);
  });

  test('a failed probe opens it again for a new cool-down', () => {
    const board = new BreakerBoard(policy);
    for (let i = 0; i < 3; i++) board.failure('mollie', T0);
    board.tryAcquire('mollie', T0 + 30_000);
    board.failure('mollie', T0 + 30_100);
    expect(board.state('mollie')).toMatchObject({ phase: 'open', openedAt: T0 + 30_100, why: 'the probe call failed' });
    expect(board.tryAcquire('mollie', T0 + 59_000)).toBe(false);
    expect(board.tryAcquire('mollie', T0 + 60_100)).toBe(true);
  });

  test('a probe that never reports back frees the slot after probeTimeoutMs', () => {
    const board = new BreakerBoard(policy);
    for (let i = 0; i < 3; i++) board.failure('stripe', T0);
    expect(board.tryAcquire('stripe', T0 + 30_000)).toBe(true);
    expect(board.tryAcquire('stripe', T0 + 89_999)).toBe(false);
    expect(board.tryAcquire('stripe', T0 + 90_000)).toBe(true);
  });

  test('a neutral answer ("cannot take this payment") closes a half-open breaker and leaves a closed one alone', () => {
    const board = new BreakerBoard(policy);
    board.failure('stripe', T0);
    board.neutral('stripe');
    expect(board.state('stripe')).toMatchObject({ phase: 'closed', consecutiveFailures: 1 });
    board.failure('stripe', T0);
    board.failure('stripe', T0);
    board.tryAcquire('stripe', T0 + 30_000);
    board.neutral('stripe');
    expect(board.state('stripe')).toEqual(CLOSED);
  });

  // outcomes: f = failure, s = success; expected phase after the sequence.
  const rateCases: Array<[string, string, BreakerState['phase']]> = [
    ['successes reset the consecutive count', 'ffsffsffs', 'closed'],
    ['3 of 6 failed (rate 0.5, minimum reached)', 'fsfsfs'.slice(0, 5) + 'f', 'open'],
    ['too few calls for the rate', 'fsfsf', 'closed'],
    ['3 of 7 failed: below the rate', 'sfsfsfs', 'closed'],
    ['old failures slide out of the window', 'ffsffs' + 'ssssssssss' + 'f', 'closed'],
    ['three in a row', 'sssfff', 'open'],
  ];
  test.each(rateCases)('%s', (_name, outcomes, phase) => {
    let state: BreakerState = CLOSED;
    for (const outcome of outcomes) state = outcome === 'f' ? recordFailure(state, T0, policy) : recordSuccess(state, policy);
    expect(state.phase).toBe(phase);
  });

  test('a late failure while open does not restart the cool-down', () => {
    let state: BreakerState = { phase: 'open', openedAt: T0, why: 'x' };
    state = recordFailure(state, T0 + 10_000, DEFAULT_BREAKER_POLICY);
    expect(state).toMatchObject({ openedAt: T0 });
  });
});
