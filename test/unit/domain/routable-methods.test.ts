import { DEFAULT_ROUTE_RULES } from '../../../relay/src/app/route-rules';
import type { BreakerView } from '../../../relay/src/domain/circuit-breaker';
import type { ProviderId } from '../../../relay/src/domain/provider-event';
import { routableMethods } from '../../../relay/src/domain/routable-methods';
import type { ProviderCapabilities } from '../../../relay/src/ports/payment-provider';

const stripe: ProviderCapabilities = { methods: ['card', 'wallet', 'bank_transfer'], canExpire: true };
const mollie: ProviderCapabilities = { methods: ['bank_transfer', 'card', 'wallet'], canExpire: true };
const adyen: ProviderCapabilities = { methods: ['card', 'bank_transfer', 'wallet'], canExpire: true };
const open: BreakerView = { available: false, reason: 'circuit open (5 failures in a row); next probe in 30 s' };
const summary = (methods: ReturnType<typeof routableMethods>) => Object.fromEntries(methods.map((m) => [m.method, m.providers]));

describe('routableMethods: what the plugin may offer', () => {
  it('only configured providers count: Stripe alone offers cards, wallets and bank payments, never crypto', () => {
    const methods = routableMethods({ currency: 'EUR', country: 'NL', amountMinor: 1250 }, DEFAULT_ROUTE_RULES, { stripe }, {});
    expect(summary(methods)).toEqual({ card: ['stripe'], bank_transfer: ['stripe'], wallet: ['stripe'], crypto: [] });
    expect(methods.find((m) => m.method === 'crypto')).toEqual({ method: 'crypto', routable: false, providers: [], skipped: [{ provider: 'coinbase-commerce', reason: 'not configured' }, { provider: 'sandbox', reason: 'not configured' }] });
  });

  it('an open breaker takes its provider out, and a method with nobody left is not routable', () => {
    const configured: Partial<Record<ProviderId, ProviderCapabilities>> = { stripe, mollie };
    const methods = routableMethods({ currency: 'EUR', country: 'NL', amountMinor: 1250 }, DEFAULT_ROUTE_RULES, configured, { stripe: open });
    expect(summary(methods)).toEqual({ card: [], bank_transfer: ['mollie'], wallet: [], crypto: [] });
    expect(methods[0]).toEqual({ method: 'card', routable: false, providers: [], skipped: [{ provider: 'stripe', reason: open.reason }, { provider: 'adyen', reason: 'not configured' }, { provider: 'sandbox', reason: 'not configured' }] });
  });

  it('by country: a Dutch cart gets Mollie first for bank payments, a Polish one Adyen', () => {
    const configured = { stripe, mollie, adyen };
    expect(routableMethods({ currency: 'EUR', country: 'NL', amountMinor: 1250 }, DEFAULT_ROUTE_RULES, configured, {})[1].providers).toEqual(['mollie', 'adyen', 'stripe']);
    expect(routableMethods({ currency: 'PLN', country: 'PL', amountMinor: 1250 }, DEFAULT_ROUTE_RULES, configured, {})[1].providers).toEqual(['adyen', 'mollie', 'stripe']);
  });

  it('a currency no configured provider takes makes nothing routable', () => {
    const methods = routableMethods({ currency: 'JPY', country: 'JP', amountMinor: 1000 }, DEFAULT_ROUTE_RULES, { mollie: { ...mollie, currencies: ['EUR'] } }, {});
    expect(methods.every((m) => !m.routable)).toBe(true);
  });

  it('without a country or amount (the settings screen), country and amount conditions are not held against the cart', () => {
    const rules = [
      { name: 'ideal only in NL', match: { methods: ['bank_transfer' as const], countries: ['NL'], min_amount: 100 }, providers: ['mollie' as const] },
      { name: 'cards', match: { methods: ['card' as const] }, providers: ['stripe' as const] },
    ];
    expect(summary(routableMethods({ currency: 'EUR', country: null, amountMinor: null }, rules, { stripe, mollie }, {}))).toEqual({ card: ['stripe'], bank_transfer: ['mollie'], wallet: [], crypto: [] });
    // With them, they are: a German cart or a tiny amount does not get the Dutch rule.
    expect(routableMethods({ currency: 'EUR', country: 'DE', amountMinor: 1250 }, rules, { stripe, mollie }, {})[1].routable).toBe(false);
    expect(routableMethods({ currency: 'EUR', country: 'NL', amountMinor: 99 }, rules, { stripe, mollie }, {})[1].routable).toBe(false);
  });
});
