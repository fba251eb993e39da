import Stripe from 'stripe';
import type { PaymentMethod } from '../../domain/payment-session';
import type { EventStatus, ProviderEvent } from '../../domain/provider-event';
import { err, ok, type Result } from '../../domain/result';
import type { RelayConfig } from '../../config/config-schema';
import type { Clock } from '../../ports/clock';
import type {
  CreateCheckoutInput,
  CreatedCheckout,
  PaymentProvider,
  ProviderCapabilities,
  ProviderFailure,
  ProviderPaymentSnapshot,
  ProviderRefund,
  RefundInput,
  RefundLookup,
  VerifiedWebhook,
  WebhookHeaders,
  WebhookRejection,
} from '../../ports/payment-provider';
import { isObject, obj, str, type JsonObject } from '../json-reader';
import { unsupportedPayment } from '../provider-failure';
import { classifyStripeError, isStripeStateError } from './stripe-errors';
import { parseStripeEvent } from './stripe-event-schema';
import { verifyStripeSignature } from './stripe-signature';
import { toStripeAmount } from './stripe-amount';
import { checkoutSessionRefs, declineReason, mapStripeEvent, META_ORDER_ID, META_REFUND_KEY, META_SESSION_ID, STRIPE_DISPUTE_DESK, stripeMinor } from './stripe-status-map';


type AllowedMethod = Stripe.Checkout.SessionCreateParams.AllowedPaymentMethodType;

export type StripeConfig = NonNullable<RelayConfig['stripe']>;

/** Short enough that routing can still fall back inside its time budget. */
export const STRIPE_TIMEOUT_MS = 10_000;

/** Checkout locales (https://docs.stripe.com/api/checkout/sessions/create#create_checkout_session-locale). */
const STRIPE_LOCALES = new Set([
  'bg', 'cs', 'da', 'de', 'el', 'en', 'en-GB', 'es', 'es-419', 'et', 'fi', 'fil', 'fr', 'fr-CA', 'hr', 'hu', 'id', 'it', 'ja', 'ko',
  'lt', 'lv', 'ms', 'mt', 'nb', 'nl', 'pl', 'pt', 'pt-BR', 'ro', 'ru', 'sk', 'sl', 'sv', 'th', 'tr', 'vi', 'zh', 'zh-HK', 'zh-TW',
]);

/** Stripe Checkout (hosted) behind the PaymentProvider port. */
export class StripeProvider implements PaymentProvider {
  readonly id = 'stripe' as const;
  readonly capabilities: ProviderCapabilities = { methods: ['card', 'wallet', 'bank_transfer'], canExpire: true };
  private readonly client: Stripe | null;

  /** `webhookSecrets`: asked per delivery (the environment's and those providers:connect stored); default the config's. */
  constructor(private readonly config: StripeConfig, private readonly deps: { clock: Clock; timeoutMs?: number; webhookSecrets?: () => readonly string[] }) {
    this.client = config.secretKey ? createStripeClient(config.secretKey, config.apiBase, deps.timeoutMs ?? STRIPE_TIMEOUT_MS) : null;
  }

  verifyWebhook(raw: Buffer, headers: WebhookHeaders, now: number): Result<VerifiedWebhook, WebhookRejection> {
    const verified = verifyStripeSignature(raw, headers, this.deps.webhookSecrets?.() ?? this.config.webhookSecrets, now, this.config.toleranceSeconds);
    if (!verified.ok) return verified;
    const event = parseStripeEvent(raw);
    if (!event.ok) return event;
    return ok({ kind: 'events', events: [mapStripeEvent(event.value)] });
  }

  async createCheckout(input: CreateCheckoutInput): Promise<Result<CreatedCheckout, ProviderFailure>> {
    if (!this.client) return err(noKey());
    const methods = paymentMethodTypes(input.method, input.currency, input.customerCountry);
    if (methods === 'unsupported') return err(unsupportedPayment(`Stripe is not set up here for ${input.method} payments in ${input.currency}`));
    const amount = toStripeAmount(input.amountMinor, input.currency);
    if (!amount.ok) return err(unsupportedPayment(amount.error));
    const metadata = { [META_SESSION_ID]: input.relaySessionId, [META_ORDER_ID]: input.merchantOrderId };
    const locale = stripeLocale(input.locale);
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: { currency: input.currency.toLowerCase(), unit_amount: amount.value, product_data: { name: `Order ${input.merchantOrderId}` } },
        },
      ],
      client_reference_id: input.merchantOrderId,
      metadata,
      // On the PaymentIntent too, so payment_intent.* and charge.* events lead back to the session.
      payment_intent_data: { metadata },
      success_url: input.returnUrl,
      cancel_url: input.cancelUrl,
      expires_at: Math.floor(input.expiresAt / 1000),
      ...(input.customerEmail ? { customer_email: input.customerEmail } : {}),
      ...(locale ? { locale: locale as Stripe.Checkout.SessionCreateParams.Locale } : {}),
      // This API version filters the dynamically eligible methods with allowed_payment_method_types.
      ...(methods ? { allowed_payment_method_types: methods } : {}),
    };
    try {
      const session = await this.client.checkout.sessions.create(params, { idempotencyKey: input.idempotencyKey });
      if (!session.url) return err({ kind: 'fallback', code: 'server_error', message: 'Stripe created a session without a checkout URL' });
      return ok({
        providerSessionId: session.id,
        checkoutUrl: session.url,
        expiresAt: session.expires_at * 1000,
        providerPaymentId: typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id ?? null,
      });
    } catch (error) {
      return err(classifyStripeError(error));
    }
  }

  async fetchStatus(ref: { providerSessionId: string; relaySessionId: string }): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>> {
    if (!this.client) return err(noKey());
    try {
      // The Checkout Session says paid even while Radar holds the charge or the customer disputes it: the
      // charge's `review` (expanded, to see whether it is still open) and `disputed` say so.
      const session = await this.client.checkout.sessions.retrieve(ref.providerSessionId, {
        expand: ['payment_intent', 'payment_intent.latest_charge', 'payment_intent.latest_charge.review'],
      });
      return ok({ event: snapshotFromSession(session as unknown as JsonObject, this.deps.clock.now()) });
    } catch (error) {
      return err(classifyStripeError(error));
    }
  }

  /** POST /v1/refunds with an Idempotency-Key tied to the shop's refund; metadata leads the refund back to the session. */
  async refund(input: RefundInput): Promise<Result<ProviderRefund, ProviderFailure>> {
    if (!this.client) return err(noKey());
    try {
      const refund = await this.client.refunds.create(
        { payment_intent: input.providerPaymentId, amount: input.amountMinor, metadata: { [META_SESSION_ID]: input.relaySessionId, [META_REFUND_KEY]: input.idempotencyKey } },
        { idempotencyKey: input.idempotencyKey },
      );
      if (refund.status === 'failed' || refund.status === 'canceled') return err({ kind: 'final', code: 'bad_request', message: `Stripe did not make the refund (status ${refund.status})` });
      return ok({ providerRefundId: refund.id, status: refund.status === 'succeeded' ? 'succeeded' : 'pending' });
    } catch (error) {
      return err(classifyStripeError(error));
    }
  }

  /** GET /v1/refunds?payment_intent=…: our key is in each refund's metadata (Idempotency-Keys expire after 24 h). */
  async findRefund(ref: RefundLookup): Promise<Result<ProviderRefund | null, ProviderFailure>> {
    if (!this.client) return err(noKey());
    try {
      const refunds = await this.client.refunds.list({ payment_intent: ref.providerPaymentId, limit: 100 });
      const refund = refunds.data.find((r) => r.metadata?.[META_REFUND_KEY] === ref.idempotencyKey);
      if (!refund || refund.status === 'failed' || refund.status === 'canceled') return ok(null);
      return ok({ providerRefundId: refund.id, status: refund.status === 'succeeded' ? 'succeeded' : 'pending' });
    } catch (error) {
      return err(classifyStripeError(error));
    }
  }

  async expireCheckout(ref: { providerSessionId: string }): Promise<Result<void, ProviderFailure>> {
    if (!this.client) return err(noKey());
    try {
      await this.client.checkout.sessions.expire(ref.providerSessionId);
      return ok(undefined);
    } catch (error) {
      // Only open sessions can be expired; one already expired or complete has nothing left to close.
      if (isStripeStateError(error)) {
        try {
          const session = await this.client.checkout.sessions.retrieve(ref.providerSessionId);
          if (session.status !== 'open') return ok(undefined);
        } catch (retrieveError) {
          return err(classifyStripeError(retrieveError));
        }
      }
      return err(classifyStripeError(error));
    }
  }
}

export function createStripeClient(secretKey: string, apiBase: string, timeoutMs: number = STRIPE_TIMEOUT_MS): Stripe {
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(secretKey, {
    host: url.hostname,
    port: url.port || (protocol === 'http' ? 80 : 443),
    protocol,
    // Routing retries elsewhere; a hidden retry here would eat the time budget.
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
  });
}

/**
 * The provider's current view of a Checkout Session (retrieved with payment_intent.latest_charge expanded).
 * The synthetic event id names every field the status is derived from, so a new state gets a new id and the
 * same state deduplicates.
 */
export function snapshotFromSession(session: JsonObject, now: number): ProviderEvent {
  const status = str(session, 'status') ?? 'unknown';
  const paymentStatus = str(session, 'payment_status') ?? 'unknown';
  const pi = obj(session, 'payment_intent');
  const piStatus = str(pi, 'status') ?? 'none';
  const charge = obj(pi, 'latest_charge');
  const refunded = stripeMinor(charge, 'amount_refunded') ?? 0;
  const hold = chargeHold(charge);
  const mapped = snapshotStatus(status, paymentStatus, piStatus, refunded, hold);
  const chargeAmount = stripeMinor(charge, 'amount');
  return {
    provider: 'stripe',
    eventId: `sync:${str(session, 'id')}:${status}:${paymentStatus}:${refunded}:${piStatus}${hold ? `:${hold}` : ''}`,
    eventType: 'checkout.session.sync',
    livemode: session.livemode === true,
    occurredAt: now,
    ...checkoutSessionRefs(session),
    status: mapped.status,
    ...(mapped.status === 'refunded' ? { refundedMinor: refunded, amountMinor: stripeMinor(session, 'amount_total') ?? chargeAmount } : {}),
    ...(mapped.status === 'failed' ? { reason: declineReason(obj(pi, 'last_payment_error')) } : mapped.reason ? { reason: mapped.reason } : {}),
  };
}

/**
 * Whether the charge is held: disputed, or under a Radar review that is still open. A review left as a bare id
 * (not expanded) counts as open: better a held order than a released one.
 */
export function chargeHold(charge: JsonObject | undefined): 'disputed' | 'review' | null {
  if (!charge) return null;
  if (charge.disputed === true) return 'disputed';
  const review = charge.review;
  if (typeof review === 'string' && review !== '') return 'review';
  if (isObject(review) && review.open === true) return 'review';
  return null;
}

function snapshotStatus(status: string, paymentStatus: string, piStatus: string, refunded: number, hold: 'disputed' | 'review' | null): { status: EventStatus; reason?: string } {
  if (piStatus === 'canceled') return { status: 'cancelled', reason: 'the payment was cancelled' };
  if (status === 'expired') return { status: 'expired', reason: 'the checkout session expired before the customer paid' };
  if (paymentStatus === 'paid' || paymentStatus === 'no_payment_required') {
    if (refunded > 0) return { status: 'refunded' };
    if (hold === 'disputed') return { status: 'review', reason: `Stripe shows the payment disputed by the customer's bank; answer it in ${STRIPE_DISPUTE_DESK}` };
    if (hold === 'review') return { status: 'review', reason: 'Stripe Radar holds the payment for review; approve or refund it in the Stripe Dashboard' };
    return { status: 'paid' };
  }
  if (status === 'complete') {
    // Complete but unpaid: a delayed method settling, or one that failed (the PaymentIntent wants a new method).
    if (piStatus === 'requires_payment_method') return { status: 'failed' };
    return { status: 'pending', reason: 'the payment method settles later' };
  }
  if (status === 'open') return piStatus === 'processing' ? { status: 'pending' } : { status: 'created' };
  return { status: 'unsupported' };
}

/** undefined = let Stripe choose (dynamic payment methods); 'unsupported' = Stripe cannot take this here. */
export function paymentMethodTypes(method: PaymentMethod | 'any', currency: string, country: string | null): AllowedMethod[] | undefined | 'unsupported' {
  switch (method) {
    case 'any':
      return undefined;
    case 'card':
    case 'wallet':
      // Apple Pay and Google Pay ride on the card method in Checkout.
      return ['card'];
    case 'bank_transfer': {
      if (currency.toUpperCase() !== 'EUR') return 'unsupported';
      const byCountry: Record<string, AllowedMethod> = { NL: 'ideal', BE: 'bancontact', AT: 'eps' };
      return [byCountry[(country ?? '').toUpperCase()] ?? 'sepa_debit'];
    }
    case 'crypto':
      return 'unsupported';
  }
}

/** WordPress locales look like `nl_NL`; Stripe wants `nl` or `pt-BR`. */
export function stripeLocale(locale: string | null): string | null {
  if (!locale) return null;
  const dashed = locale.replace('_', '-');
  if (STRIPE_LOCALES.has(dashed)) return dashed;
  const language = dashed.split('-')[0].toLowerCase();
  return STRIPE_LOCALES.has(language) ? language : null;
}

function noKey(): ProviderFailure {
  return { kind: 'final', code: 'auth', message: 'STRIPE_SECRET_KEY is not configured, so the relay cannot create or look up Stripe sessions' };
}
