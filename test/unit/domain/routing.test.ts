import { DEFAULT_ROUTE_RULES, parseRouteRules } from '../../../relay/src/app/route-rules';
import type { BreakerView } from '../../../relay/src/domain/circuit-breaker';
import type { ProviderId } from '../../../relay/src/domain/provider-event';
import { routeFor, type RoutableRequest, type RouteRule } from '../../../relay/src/domain/routing';
import type { ProviderCapabilities } from '../../../relay/src/ports/payment-provider';
import { AdyenProvider } from '../../../relay/src/providers/adyen/adyen-provider';
import { CoinbaseCommerceProvider } from '../../../relay/src/providers/coinbase-commerce/coinbase-commerce-provider';
import { MollieProvider } from '../../../relay/src/providers/mollie/mollie-provider';
import { StripeProvider } from '../../../relay/src/providers/stripe/stripe-provider';

const stripe: ProviderCapabilities = { methods: ['card', 'wallet', 'bank_transfer'], canExpire: true };
const mollie: ProviderCapabilities = { methods: ['bank_transfer', 'card'], currencies: ['EUR'], canExpire: true };
const sandbox: ProviderCapabilities = { methods: ['card', 'bank_transfer', 'wallet', 'crypto'], canExpire: true };
const all = { stripe, mollie, sandbox };
const clock = { now: () => 0 };
/** Every provider configured, each with the capabilities its adapter really declares. */
const everything: Partial<Record<ProviderId, ProviderCapabilities>> = {
  stripe: new StripeProvider({ secretKey: null, webhookSecrets: ['whsec_x'], apiBase: 'http://stripe.invalid', toleranceSeconds: 300 }, { clock }).capabilities,
  mollie: new MollieProvider({ apiKey: 'test_x', apiBase: 'http://mollie.invalid' }, { clock }).capabilities,
  paypal: { methods: ['wallet'], canExpire: false },
  'coinbase-commerce': new CoinbaseCommerceProvider({ apiKey: 'k', webhookSecrets: ['s'], apiBase: 'http://coinbase.invalid', live: false }, { clock }).capabilities,
  adyen: new AdyenProvider({ apiKey: 'k', merchantAccount: 'M', hmacKeys: ['00'.repeat(32)], apiBase: 'http://adyen.invalid', live: false }, { clock }).capabilities,
  sandbox,
};

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
    { name: 'card → stripe, adyen, sandbox', request: req(), configured: everything, rule: 'cards', candidates: ['stripe', 'adyen', 'sandbox'], skipped: [] },
    { name: 'wallet → stripe (paypal and sandbox off)', request: req({ method: 'wallet' }), configured: { stripe, mollie }, rule: 'wallets', candidates: ['stripe'], skipped: [['paypal', 'not configured'], ['adyen', 'not configured'], ['sandbox', 'not configured']] },
    { name: 'bank transfer in NL, EUR → mollie, adyen, stripe', request: req({ method: 'bank_transfer' }), configured: all, rule: 'bank payments in the euro area (iDEAL, Bancontact, SEPA)', candidates: ['mollie', 'stripe', 'sandbox'], skipped: [['adyen', 'not configured']] },
    { name: 'bank transfer in DE lower-case', request: req({ method: 'bank_transfer', country: 'de', currency: 'eur' }), configured: all, rule: 'bank payments in the euro area (iDEAL, Bancontact, SEPA)', candidates: ['mollie', 'stripe', 'sandbox'], skipped: [['adyen', 'not configured']] },
    { name: 'bank transfer in the US → the rule for elsewhere', request: req({ method: 'bank_transfer', country: 'US', currency: 'USD' }), configured: all, rule: 'bank payments elsewhere (BLIK, Trustly, Klarna Pay now, IBAN transfer)', candidates: ['stripe', 'sandbox'], skipped: [['adyen', 'not configured'], ['mollie', 'does not accept USD']] },
    { name: 'crypto without Coinbase Commerce → the sandbox only', request: req({ method: 'crypto' }), configured: all, rule: 'crypto', candidates: ['sandbox'], skipped: [['coinbase-commerce', 'not configured']] },
    { name: 'any → stripe, mollie, sandbox', request: req({ method: 'any' }), configured: all, rule: 'any method', candidates: ['stripe', 'mollie', 'sandbox'], skipped: [['adyen', 'not configured']] },
    { name: 'any in USD → mollie skipped for currency', request: req({ method: 'any', currency: 'USD' }), configured: all, rule: 'any method', candidates: ['stripe', 'sandbox'], skipped: [['adyen', 'not configured'], ['mollie', 'does not accept USD']] },
    { name: 'card with stripe open → sandbox only', request: req(), configured: all, breakers: { stripe: open }, rule: 'cards', candidates: ['sandbox'], skipped: [['stripe', open.reason], ['adyen', 'not configured']] },
    { name: 'nothing configured', request: req(), configured: {}, rule: 'cards', candidates: [], skipped: [['stripe', 'not configured'], ['adyen', 'not configured'], ['sandbox', 'not configured']] },
  ];

  test.each(cases)('$name', ({ request, configured, breakers, rule, candidates, skipped }) => {
    const route = routeFor(request, DEFAULT_ROUTE_RULES, configured, breakers ?? {});
    expect(route.rule?.name ?? null).toBe(rule);
    expect(route.candidates).toEqual(candidates);
    expect(route.skipped.map((s) => [s.provider, s.reason])).toEqual(skipped);
  });
});

describe('default routes: method × country × currency × amount → provider order (every provider configured, the capabilities its adapter declares)', () => {
  const EURO_BANK = 'bank payments in the euro area (iDEAL, Bancontact, SEPA)';
  const OTHER_BANK = 'bank payments elsewhere (BLIK, Trustly, Klarna Pay now, IBAN transfer)';
  const table: Array<[method: RoutableRequest['method'], country: string, currency: string, amount: number, rule: string, order: ProviderId[]]> = [
    ['card', 'NL', 'EUR', 1250, 'cards', ['stripe', 'adyen', 'sandbox']],
    ['card', 'US', 'USD', 1, 'cards', ['stripe', 'adyen', 'sandbox']],
    ['card', 'JP', 'JPY', 1_000_000, 'cards', ['stripe', 'adyen', 'sandbox']],
    ['wallet', 'GB', 'GBP', 4999, 'wallets', ['paypal', 'stripe', 'adyen', 'sandbox']],
    ['wallet', 'NL', 'EUR', 100, 'wallets', ['paypal', 'stripe', 'adyen', 'sandbox']],
    ['bank_transfer', 'NL', 'EUR', 1250, EURO_BANK, ['mollie', 'adyen', 'stripe', 'sandbox']],
    ['bank_transfer', 'BE', 'EUR', 99_999, EURO_BANK, ['mollie', 'adyen', 'stripe', 'sandbox']],
    ['bank_transfer', 'DE', 'EUR', 50, EURO_BANK, ['mollie', 'adyen', 'stripe', 'sandbox']],
    // Euro-area country, other currency: not the euro rule (SEPA methods are EUR only).
    ['bank_transfer', 'NL', 'USD', 1250, OTHER_BANK, ['adyen', 'mollie', 'stripe', 'sandbox']],
    ['bank_transfer', 'PL', 'PLN', 1250, OTHER_BANK, ['adyen', 'mollie', 'stripe', 'sandbox']],
    ['bank_transfer', 'SE', 'SEK', 12_500, OTHER_BANK, ['adyen', 'mollie', 'stripe', 'sandbox']],
    ['bank_transfer', 'PL', 'EUR', 1, OTHER_BANK, ['adyen', 'mollie', 'stripe', 'sandbox']],
    ['crypto', 'NL', 'EUR', 1250, 'crypto', ['coinbase-commerce', 'sandbox']],
    ['crypto', 'US', 'USD', 50, 'crypto', ['coinbase-commerce', 'sandbox']],
    ['any', 'NL', 'EUR', 1250, 'any method', ['stripe', 'adyen', 'mollie', 'sandbox']],
    ['any', 'US', 'USD', 1250, 'any method', ['stripe', 'adyen', 'mollie', 'sandbox']],
  ];

  test.each(table)('%s from %s in %s, %i → %j', (method, country, currency, amount, rule, order) => {
    const route = routeFor({ method, currency, amountMinor: amount, customer: { country } }, DEFAULT_ROUTE_RULES, everything, {});
    expect(route.rule?.name).toBe(rule);
    expect(route.candidates).toEqual(order);
  });

  // With the first provider's breaker open, the next one is tried: every method keeps a way to be paid.
  const firstDown: Array<[method: RoutableRequest['method'], country: string, currency: string, down: ProviderId, next: ProviderId[]]> = [
    ['card', 'NL', 'EUR', 'stripe', ['adyen', 'sandbox']],
    ['wallet', 'NL', 'EUR', 'paypal', ['stripe', 'adyen', 'sandbox']],
    ['bank_transfer', 'NL', 'EUR', 'mollie', ['adyen', 'stripe', 'sandbox']],
    ['bank_transfer', 'PL', 'PLN', 'adyen', ['mollie', 'stripe', 'sandbox']],
    ['any', 'NL', 'EUR', 'stripe', ['adyen', 'mollie', 'sandbox']],
    ['crypto', 'NL', 'EUR', 'coinbase-commerce', ['sandbox']],
  ];

  test.each(firstDown)('fallback: %s from %s in %s with %s down → %j', (method, country, currency, down, next) => {
    const route = routeFor({ method, currency, amountMinor: 1250, customer: { country } }, DEFAULT_ROUTE_RULES, everything, { [down]: open });
    expect(route.candidates).toEqual(next);
    expect(route.skipped).toEqual([{ provider: down, reason: open.reason }]);
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
