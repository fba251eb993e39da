import type { RelayConfig } from '../config/config-schema';
import type { ProviderId } from '../domain/provider-event';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { PaymentProvider } from '../ports/payment-provider';
import { AdyenProvider } from './adyen/adyen-provider';
import { CoinbaseCommerceProvider } from './coinbase-commerce/coinbase-commerce-provider';
import { MollieProvider } from './mollie/mollie-provider';
import type { PaypalCertificateCache } from './paypal/paypal-certificates';
import { PaypalProvider } from './paypal/paypal-provider';
import type { SandboxLedger } from './sandbox/sandbox-ledger';
import { SandboxProvider } from './sandbox/sandbox-provider';
import { StripeProvider } from './stripe/stripe-provider';

export interface ProviderRegistryDeps {
  clock: Clock;
  /** Required when the sandbox is enabled: the sandbox's own "provider side" state. */
  sandboxLedger?: SandboxLedger;
  logger?: Logger;
  /** Next-gen Mollie webhook signing secrets (proposed MOLLIE_WEBHOOK_SECRET); classic webhooks need none. */
  mollieWebhookSecrets?: readonly string[];
  paypalCertificates?: PaypalCertificateCache;
  /** Webhook ids/secrets `providers:connect` stored in the database (read per delivery, so no restart is needed). */
  storedWebhookIds?: (provider: ProviderId) => readonly string[];
  /**
   * Where browsers reach the relay, when it is only known after listening (port 0 in tests).
   * Defaults to config.publicUrl.
   */
  publicUrl?: () => string;
}

/** Every configured provider, by id. An unconfigured provider is absent, so its webhooks get 404. */
export function buildProviders(config: Readonly<RelayConfig>, deps: ProviderRegistryDeps): Map<ProviderId, PaymentProvider> {
  const providers = new Map<ProviderId, PaymentProvider>();
  if (config.sandbox.enabled) {
    if (!deps.sandboxLedger) throw new Error('buildProviders: the sandbox is enabled but no sandbox ledger was given');
    providers.set(
      'sandbox',
      new SandboxProvider({ ledger: deps.sandboxLedger, secret: config.sandbox.webhookSecret, publicUrl: deps.publicUrl ?? (() => config.publicUrl), clock: deps.clock }),
    );
  }
  if (config.stripe) {
    const stripe = config.stripe;
    const stored = deps.storedWebhookIds;
    providers.set('stripe', new StripeProvider(stripe, { clock: deps.clock, timeoutMs: config.providerTimeoutMs, webhookSecrets: stored ? () => [...stripe.webhookSecrets, ...stored('stripe')] : undefined }));
  }
  if (config.mollie) {
    providers.set('mollie', new MollieProvider(config.mollie, { clock: deps.clock }, { webhookSecrets: deps.mollieWebhookSecrets ?? [], timeoutMs: config.providerTimeoutMs }));
  }
  if (config.coinbaseCommerce) providers.set('coinbase-commerce', new CoinbaseCommerceProvider(config.coinbaseCommerce, { clock: deps.clock, timeoutMs: config.providerTimeoutMs }));
  if (config.adyen) {
    const adyen = config.adyen;
    const stored = deps.storedWebhookIds;
    providers.set('adyen', new AdyenProvider(adyen, { clock: deps.clock, timeoutMs: config.providerTimeoutMs, hmacKeys: stored ? () => [...adyen.hmacKeys, ...stored('adyen')] : undefined }));
  }
  if (config.paypal) {
    const paypal = config.paypal;
    const stored = deps.storedWebhookIds;
    providers.set('paypal', new PaypalProvider(paypal, { clock: deps.clock, timeoutMs: config.providerTimeoutMs, certificates: deps.paypalCertificates, webhookIds: stored ? () => [...paypal.webhookIds, ...stored('paypal')] : undefined }));
  }
  return providers;
}
