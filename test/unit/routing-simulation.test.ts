import { generatePayments, simulate } from '../../scripts/routing-simulation';

/** `npm run sim:routing` stays runnable and deterministic; the numbers it prints are a simulation, not asserted timings. */
describe('routing simulation', () => {
  const payments = generatePayments(4000, 11);

  test('the same seed gives the same day and the same results', () => {
    expect(generatePayments(4000, 11)).toEqual(payments);
    expect(simulate(payments, true)).toEqual(simulate(payments, true));
  });

  test('with learning on (20000 payments a day), under half as many go first to a failing provider, and fewer need a fallback', () => {
    const day = generatePayments(20_000, 11);
    const rulesOnly = simulate(day, false);
    const learning = simulate(day, true);
    expect(rulesOnly.firstToFailing).toBeGreaterThan(0);
    expect(learning.firstToFailing).toBeLessThan(rulesOnly.firstToFailing / 2);
    expect(learning.neededFallback).toBeLessThan(rulesOnly.neededFallback);
    expect(learning.lost).toBeLessThanOrEqual(rulesOnly.lost);
  });
});
