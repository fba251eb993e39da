import { assertNever } from './payment-status';
import type { ProviderId } from './provider-event';

/** How a provider is named to a person reading an order note. */
export function providerDisplayName(provider: ProviderId): string {
  switch (provider) {
    case 'stripe':
      return 'Stripe';
    case 'mollie':
      return 'Mollie';
    case 'coinbase-commerce':
      return 'Coinbase Commerce';
    case 'adyen':
      return 'Adyen';
    case 'paypal':
      return 'PayPal';
    case 'sandbox':
      return 'Payrelay Sandbox';
    default:
      return assertNever(provider);
  }
}
