import { DEFAULT_ROUTE_RULES, parseRouteRules } from '../../../relay/src/app/route-rules';
import type { BreakerView } from '../../../relay/src/domain/circuit-breaker';
import type { ProviderId } from '../../../relay/src/domain/provider-event';
import { routeFor, type RoutableRequest, type RouteRule } from '../../../relay/src/domain/routing';
import type { ProviderCapabilities } from '../../../relay/src/ports/payment-provider';

const stripe: ProviderCapabilities = { methods: ['card', 'wallet', 'bank_transfer'], canExpire: true };
const mollie: ProviderCapabilities = { methods: ['bank_transfer', 'card'], currencies: ['EUR'], canExpire: true };
const sandbox: ProviderCapabilities = { methods: ['card', 'bank_transfer', 'wallet', 'crypto'], canExpire: true };
const all = { stripe, mollie, sandbox };

const req = (over: Partial<RoutableRequest> & { country?: string } = {}): RoutableRequest => ({
  method: over.method ?? 'card',
  currency: over.currency ?? 'EUR',
  amountMinor: over.amountMinor ?? 1000,
  customer: { country: over.country ?? 'NL' },
});

const open: BreakerView = { available: false, reason: 'circuit open (5 failures in a row); next probe in 30 s' };

describe('routeFor with the default rules', () => {
  const cases: Array<{
    name: string;
    request: RoutableRequest;
    configured: Partial<Record<ProviderId, ProviderCapabilities>>;
    breakers?: Partial<Record<ProviderId, BreakerView>>;
    rule: string | null;
    candidates: ProviderId[];
    skipped: Array<[ProviderId, string]>;
  }> = [
    { name: 'card → stripe then sandbox', request: req(), configured: all, rule: 'cards and wallets', candidates: ['stripe', 'sandbox'], skipped: [] },
    { name: 'wallet → stripe (sandbox off)', request: req({ method: 'wallet' }), configured: { stripe, mollie }, rule: 'cards and wallets', candidates: ['stripe'], skipped: [['sandbox', 'not configured']] },
    { name: 'bank transfer in NL, EUR → mollie then stripe', request: req({ method: 'bank_transfer' }), configured: all, rule: 'bank transfer in the euro area', candidates: ['mollie', 'stripe'], skipped: [] },
    { name: 'bank transfer in DE lower-case', request: req({ method: 'bank_transfer', country: 'de', currency: 'eur' }), configured: all, rule: 'bank transfer in the euro area', candidates: ['mollie', 'stripe'], skipped: [] },
    { name: 'bank transfer in the US → no rule', request: req({ method: 'bank_transfer', country: 'US', currency: 'USD' }), configured: all, rule: null, candidates: [], skipped: [] },
    { name: 'crypto → rule with no providers', request: req({ method: 'crypto' }), configured: all, rule: 'crypto (not offered)', candidates: [], skipped: [] },
    { name: 'any → stripe, mollie, sandbox', request: req({ method: 'any' }), configured: all, rule: 'any method', candidates: ['stripe', 'mollie', 'sandbox'], skipped: [] },
    { name: 'any in USD → mollie skipped for currency', request: req({ method: 'any', currency: 'USD' }), configured: all, rule: 'any method', candidates: ['stripe', 'sandbox'], skipped: [['mollie', 'does not accept USD']] },
    { name: 'card with stripe open → sandbox only', request: req(), configured: all, breakers: { stripe: open }, rule: 'cards and wallets', candidates: ['sandbox'], skipped: [['stripe', open.reason]] },
    { name: 'nothing configured', request: req(), configured: {}, rule: 'cards and wallets', candidates: [], skipped: [['stripe', 'not configured'], ['sandbox', 'not configured']] },
  ];

  test.each(cases)('$name', ({ request, configured, breakers, rule, candidates, skipped }) => {
    const route = routeFor(request, DEFAULT_ROUTE_RULES, configured, breakers ?? {});
    expect(route.rule?.name ?? null).toBe(rule);
    expect(route.candidates).toEqual(candidates);
    expect(route.skipped.map((s) => [s.provider, s.reason])).toEqual(skipped);
  });
});

describe('rule matching', () => {
  const rules: RouteRule[] = [
    { name: 'small cards', match: { methods: ['card'], min_amount: 100, max_amount: 5000 }, providers: ['sandbox'] },
    { name: 'big cards in EUR', match: { methods: ['card'], currencies: ['EUR'], min_amount: 5001 }, providers: ['mollie'] },
    { name: 'card wallet capability', match: { methods: ['wallet'] }, providers: ['mollie', 'stripe'] },
    { name: 'fallback', match: {}, providers: ['stripe'] },
  ];
  const cases: Array<[string, RoutableRequest, string, ProviderId[]]> = [
    ['lower bound is inclusive', req({ amountMinor: 100 }), 'small cards', ['sandbox']],
    ['upper bound is inclusive', req({ amountMinor: 5000 }), 'small cards', ['sandbox']],
    ['above the range → next rule', req({ amountMinor: 5001 }), 'big cards in EUR', ['mollie']],
    ['below the range → catch-all', req({ amountMinor: 99 }), 'fallback', ['stripe']],
    ['big card in USD → catch-all', req({ amountMinor: 9000, currency: 'USD' }), 'fallback', ['stripe']],
    ['mollie has no wallets → skipped, stripe kept', req({ method: 'wallet' }), 'card wallet capability', ['stripe']],
  ];
  test.each(cases)('%s', (_name, request, rule, candidates) => {
    const route = routeFor(request, rules, all, {});
    expect(route.rule?.name).toBe(rule);
    expect(route.candidates).toEqual(candidates);
  });
});

describe('parseRouteRules', () => {
  test('the default file is valid', () => {
    expect(DEFAULT_ROUTE_RULES.length).toBeGreaterThan(0);
    expect(Object.isFrozen(DEFAULT_ROUTE_RULES[0])).toBe(true);
  });

  test('reports every problem at once', () => {
    const result = parseRouteRules([
      { name: 'bad', match: { methods: ['cheque'], currencies: ['EURO'], countries: ['NLD'], min_amount: 500, max_amount: 100 }, providers: ['worldpay'] },
      { name: 'bad', providers: ['stripe'] },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.error.join('\n');
    expect(text).toMatch(/methods\[0\]/);
    expect(text).toMatch(/ISO 4217/);
    expect(text).toMatch(/ISO 3166/);
    expect(text).toMatch(/max_amount/);
    expect(text).toMatch(/providers\[0\]/);
    expect(text).toMatch(/duplicate/);
  });

  test('normalises currency and country case', () => {
    const result = parseRouteRules([{ name: 'x', match: { currencies: ['eur'], countries: ['nl'] }, providers: ['mollie'] }]);
    expect(result.ok && result.value[0].match).toEqual({ currencies: ['EUR'], countries: ['NL'] });
  });
});
