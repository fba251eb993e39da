import { assessHealth, DEFAULT_HEALTH_POLICY, isProviderFailure, ProviderHealthBoard, pushSample, type HealthKey, type HealthOutcome, type HealthSample } from '../../../relay/src/domain/provider-health';
import { declineFault } from '../../../relay/src/providers/stripe/stripe-status-map';

const policy = DEFAULT_HEALTH_POLICY; // window 10, forget after 30 min, at least 5 outcomes, degraded at 30 %, slow above 8 s median
const key: HealthKey = { provider: 'stripe', method: 'card', country: 'NL' };
const ok: HealthOutcome = { kind: 'ok', latencyMs: 400 };
const error: HealthOutcome = { kind: 'error', latencyMs: 300 };
const timeout: HealthOutcome = { kind: 'timeout', latencyMs: 10_000 };
const byBank: HealthOutcome = { kind: 'declined', fault: 'customer' };
const byProvider: HealthOutcome = { kind: 'declined', fault: 'provider' };
const slow: HealthOutcome = { kind: 'ok', latencyMs: 9_000 };

/** Outcomes one second apart, ending at t = 0. */
const windowOf = (outcomes: HealthOutcome[]): HealthSample[] =>
  outcomes.reduce<HealthSample[]>((w, outcome, i) => pushSample(w, { at: (i - outcomes.length + 1) * 1000, outcome }, policy), []);
const times = (n: number, outcome: HealthOutcome) => Array.from({ length: n }, () => outcome);

describe('assessHealth', () => {
  const cases: Array<{ name: string; outcomes: HealthOutcome[]; now?: number; key?: HealthKey; expected: { degraded: boolean; reason?: string } }> = [
    { name: 'no outcomes yet: healthy', outcomes: [], expected: { degraded: false } },
    { name: 'four errors are too few to judge (minimum 5)', outcomes: times(4, error), expected: { degraded: false } },
    { name: '2 of 10 failed (20 %): healthy', outcomes: [...times(8, ok), error, error], expected: { degraded: false } },
    { name: '3 of 10 failed (30 %): degraded, with what kind of failures', outcomes: [...times(7, ok), error, error, timeout], expected: { degraded: true, reason: '3 of the last 10 card payments in NL failed at Stripe (2 errors, 1 timeout)' } },
    { name: '4 of 10 failed', outcomes: [...times(6, ok), error, error, error, error], expected: { degraded: true, reason: '4 of the last 10 card payments in NL failed at Stripe (4 errors)' } },
    { name: "declines by the customer's bank are the provider working", outcomes: [...times(3, ok), ...times(7, byBank)], expected: { degraded: false } },
    { name: 'declines the provider caused count against it', outcomes: [...times(6, ok), ...times(4, byProvider)], expected: { degraded: true, reason: '4 of the last 10 card payments in NL failed at Stripe (4 declines by the provider)' } },
    { name: 'only the last 10 count: old failures slide out', outcomes: [...times(5, error), ...times(10, ok)], expected: { degraded: false } },
    { name: 'outcomes older than 30 minutes are forgotten', outcomes: [...times(6, ok), ...times(4, error)], now: 30 * 60_000 + 1, expected: { degraded: false } },
    { name: 'still remembered just before 30 minutes', outcomes: [...times(6, ok), ...times(4, error)], now: 30 * 60_000 - 9_001, expected: { degraded: true, reason: '4 of the last 10 card payments in NL failed at Stripe (4 errors)' } },
    { name: 'slow: median above 8 s', outcomes: [...times(6, slow), ...times(4, ok)], expected: { degraded: true, reason: 'the last 10 card payments in NL took 9.0 s (median) at Stripe' } },
    { name: 'a few slow calls do not make the median', outcomes: [...times(4, slow), ...times(6, ok)], expected: { degraded: false } },
    { name: 'method "any" without a country reads as plain payments', key: { provider: 'adyen', method: 'any', country: '' }, outcomes: [...times(5, ok), ...times(5, error)], expected: { degraded: true, reason: '5 of the last 10 payments failed at Adyen (5 errors)' } },
  ];

  test.each(cases)('$name', ({ outcomes, now = 0, key: k = key, expected }) => {
    const assessment = assessHealth(k, windowOf(outcomes), now, policy);
    expect(assessment.degraded).toBe(expected.degraded);
    if (assessment.degraded) expect(assessment.reason).toBe(expected.reason);
  });
});

describe('isProviderFailure', () => {
  test.each([
    [ok, false],
    [error, true],
    [timeout, true],
    [byProvider, true],
    [byBank, false],
  ])('%o → %s', (outcome, failed) => expect(isProviderFailure(outcome)).toBe(failed));
});

describe('Stripe declines: whose fault', () => {
  test.each([
    ['card declined by the bank (insufficient funds)', 'customer', { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds' }],
    ['wrong CVC', 'customer', { type: 'card_error', code: 'incorrect_cvc' }],
    ['Stripe could not process the card', 'provider', { type: 'card_error', code: 'processing_error' }],
    ['Stripe API error', 'provider', { type: 'api_error' }],
    ['3-D Secure not completed', 'customer', { type: 'card_error', code: 'payment_intent_authentication_failure' }],
    ['no error object at all', 'customer', undefined],
  ] as const)('%s → %s', (_name: string, fault, error) => expect(declineFault(error as never)).toBe(fault));
});

describe('ProviderHealthBoard', () => {
  test('keeps each provider, method and country apart', () => {
    const board = new ProviderHealthBoard();
    for (let i = 0; i < 5; i += 1) board.record(key, error, i);
    expect(board.assess(key, 10).degraded).toBe(true);
    expect(board.assess({ ...key, country: 'BE' }, 10).degraded).toBe(false);
    expect(board.assess({ ...key, method: 'wallet' }, 10).degraded).toBe(false);
    expect(board.assess({ ...key, provider: 'adyen' }, 10).degraded).toBe(false);
    // Country codes are compared without case, as the routing rules do.
    expect(board.assess({ ...key, country: 'nl' }, 10).degraded).toBe(true);
  });

  test('assessAll gives one assessment per provider for one payment', () => {
    const board = new ProviderHealthBoard();
    for (let i = 0; i < 5; i += 1) board.record(key, timeout, i);
    const all = board.assessAll(['stripe', 'adyen'], { method: 'card', country: 'NL' }, 10);
    expect(all.stripe).toMatchObject({ degraded: true, samples: 5, failures: 5 });
    expect(all.adyen).toMatchObject({ degraded: false, samples: 0 });
  });
});
