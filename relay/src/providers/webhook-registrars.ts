import type { RelayConfig } from '../config/config-schema';
import type { Clock } from '../ports/clock';
import type { WebhookRegistrar } from '../ports/webhook-registrar';
import { AdyenWebhookRegistrar } from './adyen/adyen-webhook-registrar';
import { PaypalApi } from './paypal/paypal-api';
import { PaypalWebhookRegistrar } from './paypal/paypal-webhook-registrar';
import { createStripeClient } from './stripe/stripe-provider';
import { StripeWebhookRegistrar } from './stripe/stripe-webhook-registrar';

/**
 * The providers whose webhooks the relay can register itself (an API for it and the key to call it). Mollie takes
 * the webhook URL per payment and needs none; Adyen's Management API takes its own key (ADYEN_MANAGEMENT_API_KEY).
 */
export function buildWebhookRegistrars(config: Readonly<RelayConfig>, clock: Clock): WebhookRegistrar[] {
  const registrars: WebhookRegistrar[] = [];
  if (config.stripe?.secretKey) registrars.push(new StripeWebhookRegistrar(createStripeClient(config.stripe.secretKey, config.stripe.apiBase, config.providerTimeoutMs)));
  if (config.paypal) registrars.push(new PaypalWebhookRegistrar(new PaypalApi(config.paypal, clock, config.providerTimeoutMs)));
  const adyen = config.adyen;
  if (adyen?.management) registrars.push(new AdyenWebhookRegistrar({ ...adyen.management, merchantAccount: adyen.merchantAccount }, config.providerTimeoutMs));
  return registrars;
}
