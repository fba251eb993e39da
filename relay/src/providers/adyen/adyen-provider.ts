import axios, { type AxiosInstance } from 'axios';
import type { RelayConfig } from '../../config/config-schema';
import type { PaymentMethod } from '../../domain/payment-session';
import type { EventStatus, ProviderEvent } from '../../domain/provider-event';
import { err, ok, type Result } from '../../domain/result';
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
import { classifyAxiosFailure } from '../axios-failure';
import { defined, int, isObject, obj, str, type JsonObject } from '../json-reader';
import { unsupportedPayment } from '../provider-failure';
import { verifyAdyenItem } from './adyen-hmac';
import { parseAdyenNotification } from './adyen-notification-schema';
import { mapAdyenItem, SESSION_REFERENCE } from './adyen-status-map';

export type AdyenConfig = NonNullable<RelayConfig['adyen']>;

/** Checkout API version the relay speaks (payment links: https://docs.adyen.com/api-explorer/Checkout/71/post/paymentLinks). */
export const ADYEN_CHECKOUT_VERSION = 'v71';
export const ADYEN_TIMEOUT_MS = 10_000;

/** Adyen's 16-character pspReference (payments and their modifications). */
const PSP_REFERENCE = /^[A-Z0-9]{16}$/;

/** Payment link ids as Adyen issues them (`PL` + hex). */
const PAYMENT_LINK_ID = /^PL[A-Za-z0-9]{6,64}$/;

/** Metadata keys on the payment link (Adyen passes metadata to the payment; max 20 keys, 80-char values). */
export const META_SESSION_ID = 'payrelay_session_id';
export const META_ORDER_ID = 'payrelay_order_id';

/**
 * Adyen Checkout behind the PaymentProvider port: a payment link (`POST /paymentLinks`) is the hosted checkout,
 * standard notifications (HMAC per item) say what happened, and `GET /paymentLinks/{id}` is the fetch-back.
 *
 * Not @adyen/api-library: 12.6 MB and 7,290 files unpacked for three REST calls, and its Checkout base URL is
 * derived from the environment (checkout-test / {prefix}-checkout-live) with no override, so it cannot be pointed
 * at the API stand-in without patching; axios gives a base URL, a timeout and the error body directly. The HMAC
 * follows that library's HmacValidator, checked against its published vectors.
 */
export class AdyenProvider implements PaymentProvider {
  readonly id = 'adyen' as const;
  readonly capabilities: ProviderCapabilities = { methods: ['card', 'bank_transfer', 'wallet'], canExpire: true };
  private readonly http: AxiosInstance;

  /** `hmacKeys`: asked per delivery (ADYEN_HMAC_KEY and the keys providers:connect generated); default the config's. */
  constructor(private readonly config: AdyenConfig, private readonly deps: { clock: Clock; timeoutMs?: number; hmacKeys?: () => readonly string[] }) {
    const base = config.apiBase.replace(/\/+$/, '');
    this.http = axios.create({
      baseURL: /\/v\d+$/.test(base) ? base : `${base}/${ADYEN_CHECKOUT_VERSION}`,
      timeout: deps.timeoutMs ?? ADYEN_TIMEOUT_MS,
      headers: { 'X-API-Key': config.apiKey, 'Content-Type': 'application/json' },
    });
  }

  /**
   * One POST holds one or more items, each signed on its own inside `additionalData.hmacSignature` (there is no
   * header, and the HMAC covers eight fields, not the bytes, so the body is parsed first). Good items become
   * events; a bad item is reported as rejected and does not stop its neighbours. Only when no item is good is
   * the whole delivery refused (401/400), so Adyen retries it.
   */
  verifyWebhook(raw: Buffer, _headers: WebhookHeaders, now: number): Result<VerifiedWebhook, WebhookRejection> {
    const parsed = parseAdyenNotification(raw);
    if (!parsed.ok) return parsed;
    const events: ProviderEvent[] = [];
    const rejected: WebhookRejection[] = [];
    const keys = this.deps.hmacKeys?.() ?? this.config.hmacKeys;
    parsed.value.items.forEach((item, index) => {
      if (!item.ok) {
        rejected.push(item.error);
        return;
      }
      const signature = item.value.additionalData?.hmacSignature;
      const verified = verifyAdyenItem(item.value, typeof signature === 'string' ? signature : undefined, keys);
      if (!verified.ok) {
        rejected.push({ code: verified.error.code, message: `item ${index + 1} (${item.value.pspReference} ${item.value.eventCode}): ${verified.error.message}` });
        return;
      }
      events.push(mapAdyenItem(item.value, parsed.value.live, now));
    });
    if (events.length === 0) {
      const first = rejected[0] ?? { code: 'malformed' as const, message: 'no notification items' };
      return err(rejected.length > 1 ? { code: first.code, message: `all ${rejected.length} items refused; first: ${first.message}` } : first);
    }
    // Adyen's documented answer; the status code is what counts, the body keeps older integrations happy.
    return ok({ kind: 'events', events, rejected, acknowledgement: '[accepted]' });
  }

  async createCheckout(input: CreateCheckoutInput): Promise<Result<CreatedCheckout, ProviderFailure>> {
    const methods = adyenMethods(input.method, input.customerCountry);
    if (methods === 'unsupported') return err(unsupportedPayment(`Adyen is not set up for ${input.method} payments`));
    const body: JsonObject = {
      // Echoed as merchantReference in every notification: how an item finds its session.
      reference: input.relaySessionId,
      merchantAccount: this.config.merchantAccount,
      amount: { value: input.amountMinor, currency: input.currency.toUpperCase() },
      description: `Order ${input.merchantOrderId}`,
      returnUrl: input.returnUrl,
      expiresAt: new Date(input.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reusable: false,
      // Capture at once, so a successful AUTHORISATION is money taken (the status map relies on it).
      captureDelayHours: 0,
      metadata: { [META_SESSION_ID]: input.relaySessionId, [META_ORDER_ID]: input.merchantOrderId },
      ...defined({
        countryCode: input.customerCountry?.toUpperCase() ?? undefined,
        shopperEmail: input.customerEmail ?? undefined,
        shopperLocale: input.locale ? input.locale.replace('_', '-') : undefined,
        allowedPaymentMethods: methods,
      }),
    };
    try {
      const response = await this.http.post('/paymentLinks', body, { headers: { 'Idempotency-Key': input.idempotencyKey } });
      const link: unknown = response.data;
      const id = isObject(link) ? str(link, 'id') : undefined;
      const url = isObject(link) ? str(link, 'url') : undefined;
      if (!id || !url) return err({ kind: 'fallback', code: 'server_error', message: 'Adyen created a payment link without an id or url' });
      const expiresAt = isObject(link) ? Date.parse(str(link, 'expiresAt') ?? '') : NaN;
      // The payment's pspReference exists only once the shopper pays; it arrives with the notification.
      return ok({ providerSessionId: id, checkoutUrl: url, expiresAt: Number.isFinite(expiresAt) ? expiresAt : input.expiresAt, providerPaymentId: null });
    } catch (error) {
      return err(classifyAdyenError(error));
    }
  }

  async fetchStatus(ref: { providerSessionId: string; relaySessionId: string }): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>> {
    const link = await this.getLink(ref.providerSessionId);
    return link.ok ? ok({ event: mapAdyenLink(link.value, this.deps.clock.now(), this.config.live) }) : link;
  }

  async expireCheckout(ref: { providerSessionId: string }): Promise<Result<void, ProviderFailure>> {
    if (!PAYMENT_LINK_ID.test(ref.providerSessionId)) return err({ kind: 'final', code: 'bad_request', message: `${ref.providerSessionId} is not an Adyen payment link id` });
    try {
      await this.http.patch(`/paymentLinks/${encodeURIComponent(ref.providerSessionId)}`, { status: 'expired' });
      return ok(undefined);
    } catch (error) {
      // 422: the link is no longer active (paid, already expired): nothing is left to close.
      if (axios.isAxiosError(error) && error.response?.status === 422) {
        const link = await this.getLink(ref.providerSessionId);
        if (link.ok && str(link.value, 'status') !== 'active') return ok(undefined);
      }
      return err(classifyAdyenError(error));
    }
  }

  /**
   * `POST /payments/{pspReference}/refunds` (Checkout API v71, docs.adyen.com/online-payments/refund). Adyen
   * answers 201 `status: received`: the request is queued, not done, so the refund is `pending` until the REFUND
   * (made) or REFUND_FAILED / REFUND success=false (not made) notification, which carries this answer's
   * pspReference and our `reference`. The Idempotency-Key makes a repeated request refund once (Adyen keeps keys
   * for at least 7 days and answers a replay with the first response).
   */
  async refund(input: RefundInput): Promise<Result<ProviderRefund, ProviderFailure>> {
    if (!PSP_REFERENCE.test(input.providerPaymentId)) return err({ kind: 'final', code: 'bad_request', message: `${input.providerPaymentId} is not an Adyen pspReference` });
    const body: JsonObject = {
      merchantAccount: this.config.merchantAccount,
      amount: { value: input.amountMinor, currency: input.currency.toUpperCase() },
      // Echoed as the notification's merchantReference: ties the final word to this refund (max 80 characters).
      reference: input.idempotencyKey.slice(0, 80),
    };
    try {
      const response = await this.http.post(`/payments/${encodeURIComponent(input.providerPaymentId)}/refunds`, body, { headers: { 'Idempotency-Key': input.idempotencyKey } });
      const answer: unknown = response.data;
      const psp = isObject(answer) ? str(answer, 'pspReference') : undefined;
      if (!psp || !isObject(answer) || str(answer, 'status') !== 'received') return err({ kind: 'fallback', code: 'server_error', message: 'Adyen answered the refund without a pspReference or status "received"' });
      return ok({ providerRefundId: psp, status: 'pending' });
    } catch (error) {
      return err(classifyAdyenError(error));
    }
  }

  /**
   * Adyen's Checkout API lists no refunds of a payment: the lost request is sent again under the same
   * Idempotency-Key. A request Adyen took answers as it did the first time; one that never reached Adyen is made
   * now, which is the refund the merchant asked for. Either way it is made once. It never answers "not made", so
   * the grace period for a lost call still in flight (LOST_REFUND_GRACE_MS) has nothing to wait for: a replay
   * while the first request is still being processed is deduplicated or refused by Adyen (an error: nothing is
   * refunded now), never made a second time (https://docs.adyen.com/development-resources/api-idempotency).
   */
  async findRefund(ref: RefundLookup): Promise<Result<ProviderRefund | null, ProviderFailure>> {
    return this.refund({ ...ref, reason: null });
  }

  private async getLink(id: string): Promise<Result<JsonObject, ProviderFailure>> {
    if (!PAYMENT_LINK_ID.test(id)) return err({ kind: 'final', code: 'bad_request', message: `${id} is not an Adyen payment link id` });
    try {
      const response = await this.http.get(`/paymentLinks/${encodeURIComponent(id)}`);
      const body: unknown = response.data;
      if (!isObject(body) || str(body, 'id') !== id) return err({ kind: 'fallback', code: 'server_error', message: 'Adyen answered with something that is not this payment link' });
      return ok(body);
    } catch (error) {
      return err(classifyAdyenError(error));
    }
  }
}

/**
 * A payment link as fetched (statuses per Checkout API v71 PaymentLinkResponse: active, paymentPending,
 * completed, expired). The link says whether it was paid, not how a later refund or chargeback went; those
 * only come by notification. The event id is stable per (link, status), so fetching twice deduplicates.
 */
export function mapAdyenLink(link: JsonObject, now: number, live: boolean): ProviderEvent {
  const id = str(link, 'id') ?? 'unknown';
  const status = str(link, 'status') ?? 'unknown';
  const amount = obj(link, 'amount');
  const meta = obj(link, 'metadata');
  const reference = str(link, 'reference');
  const mapped = mapLinkStatus(status);
  return {
    provider: 'adyen',
    eventId: `${id}:link:${status}`,
    eventType: `paymentLink.${status}`,
    status: mapped.status,
    providerSessionId: id,
    livemode: live,
    occurredAt: now,
    ...defined({
      relaySessionId: reference && SESSION_REFERENCE.test(reference) ? reference : str(meta, META_SESSION_ID),
      merchantOrderId: str(meta, META_ORDER_ID),
      amountMinor: int(amount, 'value'),
      currency: str(amount, 'currency')?.toUpperCase(),
      reason: mapped.reason,
    }),
  };
}

function mapLinkStatus(status: string): { status: EventStatus; reason?: string } {
  switch (status) {
    case 'active':
      return { status: 'created' };
    case 'paymentPending':
      return { status: 'pending', reason: 'the shopper started paying; Adyen is waiting for the payment method' };
    case 'completed':
      return { status: 'paid', reason: 'Adyen reports the payment link as completed' };
    case 'expired':
      return { status: 'expired', reason: 'the payment link expired without a payment' };
    default:
      return { status: 'unsupported' };
  }
}

/**
 * Adyen's `allowedPaymentMethods` per method; undefined lets the shopper choose among everything the merchant
 * account has (cards, iDEAL, Bancontact, Klarna, wallets…). Bank methods follow the customer's country.
 */
export function adyenMethods(method: PaymentMethod | 'any', country: string | null): string[] | undefined | 'unsupported' {
  switch (method) {
    case 'any':
      return undefined;
    case 'card':
      return ['scheme'];
    case 'wallet':
      return ['applepay', 'googlepay'];
    case 'bank_transfer': {
      const byCountry: Record<string, string[]> = {
        NL: ['ideal'],
        BE: ['bcmc', 'bcmc_mobile'],
        AT: ['eps', 'klarna_paynow'],
        DE: ['klarna_paynow', 'paybybank'],
        PL: ['blik', 'onlineBanking_PL'],
        SE: ['klarna_paynow', 'trustly'],
        FI: ['klarna_paynow', 'trustly'],
      };
      return byCountry[(country ?? '').toUpperCase()] ?? ['bankTransfer_IBAN'];
    }
    case 'crypto':
      return 'unsupported';
  }
}

/** Adyen errors are `{status, errorCode, message, errorType, pspReference}` (docs.adyen.com "API error codes"). */
export function classifyAdyenError(error: unknown): ProviderFailure {
  return classifyAxiosFailure(error, (httpStatus, body) => {
    const message = isObject(body) ? str(body, 'message') : undefined;
    const code = isObject(body) ? str(body, 'errorCode') : undefined;
    const unsupported = httpStatus === 422 && /not (supported|configured|available|allowed)|unsupported currency|invalid payment method/i.test(message ?? '');
    return { message: message ?? `HTTP ${httpStatus}`, providerCode: code ? `errorCode ${code}` : undefined, unsupported };
  });
}
