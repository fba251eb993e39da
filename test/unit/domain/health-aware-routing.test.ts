import { parseRouteRules } from '../../../relay/src/app/route-rules';
import { orderBucket } from '../../../relay/src/domain/order-bucket';
import type { ProviderId } from '../../../relay/src/domain/provider-event';
import type { HealthAssessment } from '../../../relay/src/domain/provider-health';
import { routeFor, type RoutableRequest, type RouteRule } from '../../../relay/src/domain/routing';
import type { ProviderCapabilities } from '../../../relay/src/ports/payment-provider';

const cards: ProviderCapabilities = { methods: ['card'], canExpire: true };
const configured: Partial<Record<ProviderId, ProviderCapabilities>> = { stripe: cards, adyen: cards, mollie: cards, sandbox: cards };
const request: RoutableRequest = { method: 'card', currency: 'EUR', amountMinor: 1000, customer: { country: 'NL' } };
const rule = (over: Partial<RouteRule> = {}): RouteRule[] => [{ name: 'cards', match: { methods: ['card'] }, providers: ['stripe', 'adyen', 'sandbox'], ...over }];
const healthy: HealthAssessment = { degraded: false, samples: 10, failures: 1 };
const failing: HealthAssessment = { degraded: true, samples: 10, failures: 4, reason: '4 of the last 10 card payments in NL failed at Stripe (4 errors)' };
const adyenFailing: HealthAssessment = { degraded: true, samples: 10, failures: 5, reason: '5 of the last 10 card payments in NL failed at Adyen (5 errors)' };

/** Order ids 1…n that fall (or not) into the probe share for a provider: the rule routing follows, named here so each case is exact. */
const probing = (provider: ProviderId, percent: number) => (id: number) => orderBucket(`probe:${provider}`, String(id), 100) < percent;
const firstOrder = (predicate: (id: number) => boolean) => {
  for (let id = 1; id < 10_000; id += 1) if (predicate(id)) return String(id);
  throw new Error('no such order id');
};
const probeOrder = firstOrder(probing('stripe', 5));
const plainOrder = firstOrder((id) => !probing('stripe', 5)(id));

describe('health-aware routing (elimination): a degraded provider goes down the order before its breaker opens', () => {
  const cases: Array<{ name: string; rules?: RouteRule[]; orderId?: string; health: Partial<Record<ProviderId, HealthAssessment>>; candidates: ProviderId[]; notes: string[] }> = [
    { name: 'everyone healthy: the rule order', health: { stripe: healthy, adyen: healthy }, candidates: ['stripe', 'adyen', 'sandbox'], notes: [] },
    {
      name: 'Stripe degraded: after the healthy ones, with the reason in words',
      health: { stripe: failing, adyen: healthy },
      candidates: ['adyen', 'sandbox', 'stripe'],
      notes: ['Stripe moved down: 4 of the last 10 card payments in NL failed at Stripe (4 errors)'],
    },
    {
      name: 'a probe order keeps Stripe in its place (5 % of orders, fixed by the order id)',
      orderId: probeOrder,
      health: { stripe: failing, adyen: healthy },
      candidates: ['stripe', 'adyen', 'sandbox'],
      notes: ['Stripe kept in its place to probe it (4 of the last 10 card payments in NL failed at Stripe (4 errors); 5% of orders keep trying it)'],
    },
    {
      name: 'two degraded: both after the healthy one, in rule order',
      health: { stripe: failing, adyen: adyenFailing },
      candidates: ['sandbox', 'stripe', 'adyen'],
      notes: ['Stripe moved down: 4 of the last 10 card payments in NL failed at Stripe (4 errors)', 'Adyen moved down: 5 of the last 10 card payments in NL failed at Adyen (5 errors)'],
    },
    {
      name: 'every candidate degraded: nobody better, the rule order stands',
      rules: rule({ providers: ['stripe', 'adyen'] }),
      health: { stripe: failing, adyen: adyenFailing },
      candidates: ['stripe', 'adyen'],
      notes: [],
    },
    {
      name: 'the degraded one is already last: it stays, and the log says why it is not preferred',
      rules: rule({ providers: ['adyen', 'stripe'] }),
      health: { stripe: failing },
      candidates: ['adyen', 'stripe'],
      notes: ['Stripe kept last: 4 of the last 10 card payments in NL failed at Stripe (4 errors)'],
    },
  ];

  test.each(cases)('$name', ({ rules = rule(), orderId = plainOrder, health, candidates, notes }) => {
    const route = routeFor(request, rules, configured, {}, { orderId, health, probePercent: 5 });
    expect(route.candidates).toEqual(candidates);
    expect(route.notes.map((n) => n.message)).toEqual(notes);
  });

  test('the probe share is bounded: of orders 1…10000, 511 (5.1 %) probe a degraded Stripe, the rest skip it', () => {
    let probes = 0;
    for (let id = 1; id <= 10_000; id += 1) {
      const route = routeFor(request, rule(), configured, {}, { orderId: String(id), health: { stripe: failing }, probePercent: 5 });
      if (route.candidates[0] === 'stripe') probes += 1;
    }
    expect(probes).toBe(511);
  });

  test("after its cool-down the breaker's probe call keeps a degraded provider in its place (moving it down would starve the probe)", () => {
    const route = routeFor(request, rule(), configured, { stripe: { available: true, probe: true } }, { orderId: plainOrder, health: { stripe: failing }, probePercent: 5 });
    expect(route.candidates).toEqual(['stripe', 'adyen', 'sandbox']);
    expect(route.notes.map((n) => n.message)).toEqual(["Stripe kept in its place for its circuit breaker's probe call (4 of the last 10 card payments in NL failed at Stripe (4 errors))"]);
  });

  test('an open breaker still removes the provider outright (health only reorders)', () => {
    const route = routeFor(request, rule(), configured, { stripe: { available: false, reason: 'circuit open (5 failures in a row); next probe in 30 s' } }, { orderId: plainOrder, health: { stripe: failing }, probePercent: 5 });
    expect(route.candidates).toEqual(['adyen', 'sandbox']);
    expect(route.skipped).toEqual([{ provider: 'stripe', reason: 'circuit open (5 failures in a row); next probe in 30 s' }]);
  });
});

describe('split by percentage: stable per order', () => {
  const split = rule({ split: { stripe: 70, adyen: 30 } });
  const route = (orderId: string) => routeFor(request, split, configured, {}, { orderId });

  test('the same order always goes the same way (a retry lands where the first attempt did)', () => {
    for (const orderId of ['1', '42', '9001', 'wc-777']) expect(route(orderId).candidates).toEqual(route(orderId).candidates);
  });

  test('the pick goes first, the other split provider stays as the fallback, the rest keep their place', () => {
    const orders = Array.from({ length: 1000 }, (_, i) => String(i + 1));
    const firsts = orders.map((id) => route(id).candidates);
    for (const candidates of firsts) expect([['stripe', 'adyen', 'sandbox'], ['adyen', 'stripe', 'sandbox']]).toContainEqual(candidates);
    const adyenShare = firsts.filter((c) => c[0] === 'adyen').length / orders.length;
    expect(adyenShare).toBeGreaterThan(0.25);
    expect(adyenShare).toBeLessThan(0.35);
  });

  test('the payment log says why', () => {
    const adyenOrder = firstOrder((id) => route(String(id)).candidates[0] === 'adyen');
    expect(route(adyenOrder).notes).toEqual([
      { provider: 'adyen', kind: 'split', message: 'Adyen first for this order: rule "cards" splits Stripe 70% / Adyen 30%, fixed by the order number so a retry goes the same way' },
    ]);
  });

  test('health applies after the split: a degraded pick still moves down', () => {
    const stripeOrder = firstOrder((id) => route(String(id)).candidates[0] === 'stripe' && !probing('stripe', 5)(id));
    const routed = routeFor(request, split, configured, {}, { orderId: stripeOrder, health: { stripe: failing }, probePercent: 5 });
    expect(routed.candidates).toEqual(['adyen', 'sandbox', 'stripe']);
  });

  test('without an order (GET /v1/methods) the rule order is shown', () => {
    expect(routeFor(request, split, configured, {}).candidates).toEqual(['stripe', 'adyen', 'sandbox']);
  });
});

describe('split in the rules file', () => {
  const base = { name: 'cards', match: { methods: ['card'] }, providers: ['stripe', 'adyen'] };
  test.each([
    ['weights of two listed providers', { split: { stripe: 70, adyen: 30 } }, null],
    ['a provider the rule does not list', { split: { stripe: 50, mollie: 50 } }, 'rule "cards" splits to mollie, which its providers do not list'],
    ['only one provider', { split: { stripe: 100 } }, '"[0].split" must have at least 2 keys'],
    ['a zero weight', { split: { stripe: 0, adyen: 100 } }, '"[0].split.stripe" must be greater than or equal to 1'],
    ['an unknown provider id', { split: { stripe: 50, square: 50 } }, '"[0].split.square" is not allowed'],
  ])('%s', (_name, over, problem) => {
    const parsed = parseRouteRules([{ ...base, ...over }]);
    if (problem === null) expect(parsed.ok).toBe(true);
    else expect(parsed).toEqual({ ok: false, error: [problem] });
  });
});
