import axios, { type AxiosInstance } from 'axios';
import type { RelayConfig } from '../../config/config-schema';
import { minorToDecimal } from '../../domain/money';
import { err, ok, type Result } from '../../domain/result';
import type { Clock } from '../../ports/clock';
import type {
  CreateCheckoutInput,
  CreatedCheckout,
  PaymentProvider,
  ProviderCapabilities,
  ProviderFailure,
  ProviderPaymentSnapshot,
  VerifiedWebhook,
  WebhookHeaders,
  WebhookRejection,
} from '../../ports/payment-provider';
import { classifyAxiosFailure } from '../axios-failure';
import { isObject, obj, str, type JsonObject } from '../json-reader';
import { unsupportedPayment } from '../provider-failure';
import { headerValues } from '../webhook-headers';
import { parseCharge, parseCoinbaseWebhook, type CoinbaseCharge } from './coinbase-charge-schema';
import { COINBASE_SIGNATURE_HEADER, verifyCoinbaseSignature } from './coinbase-signature';
import { coinbaseProviderEvent, mapCoinbaseEventType, mapCoinbaseTimeline, META_ORDER_ID, META_SESSION_ID } from './coinbase-status-map';

export type CoinbaseCommerceConfig = NonNullable<RelayConfig['coinbaseCommerce']>;

/** The API version whose charge shape (timeline, payments, pricing) the status map reads. */
export const COINBASE_API_VERSION = '2018-03-22';
export const COINBASE_TIMEOUT_MS = 10_000;
const CHARGE_CODE = /^[A-Z0-9]{4,16}$/;

/**
 * Coinbase Commerce (crypto) behind the PaymentProvider port: a charge (`POST /charges`) is the hosted checkout,
 * its `hosted_url` the page, `X-CC-Webhook-Signature` webhooks say what happened, `GET /charges/:code` is the
 * fetch-back. Coinbase Commerce has no refund API: a merchant refunds crypto by hand, and the relay records a
 * refund only when a provider event says so (none does for Commerce), so no refund capability is offered.
 * It has no test mode either: charges are real crypto, and events carry the relay's own mode.
 */
export class CoinbaseCommerceProvider implements PaymentProvider {
  readonly id = 'coinbase-commerce' as const;
  readonly capabilities: ProviderCapabilities = { methods: ['crypto'], canExpire: true };
  private readonly http: AxiosInstance;

  constructor(private readonly config: CoinbaseCommerceConfig, private readonly deps: { clock: Clock; timeoutMs?: number }) {
    this.http = axios.create({
      baseURL: config.apiBase.replace(/\/+$/, ''),
      timeout: deps.timeoutMs ?? COINBASE_TIMEOUT_MS,
      headers: { 'X-CC-Api-Key': config.apiKey, 'X-CC-Version': COINBASE_API_VERSION, 'Content-Type': 'application/json' },
    });
  }

  verifyWebhook(raw: Buffer, headers: WebhookHeaders, now: number): Result<VerifiedWebhook, WebhookRejection> {
    const verified = verifyCoinbaseSignature(raw, headerValues(headers, COINBASE_SIGNATURE_HEADER), this.config.webhookSecrets);
    if (!verified.ok) return verified;
    const event = parseCoinbaseWebhook(raw);
    if (!event.ok) return event;
    const { id, type, created_at: createdAt, data } = event.value;
    const occurredAt = createdAt ? Date.parse(createdAt) : NaN;
    const mapped = data.code ? mapCoinbaseEventType(type, data) : { status: 'unsupported' as const };
    return ok({
      kind: 'events',
      events: [coinbaseProviderEvent(data, { eventId: id, eventType: type, occurredAt: Number.isFinite(occurredAt) ? occurredAt : now, mapped, livemode: this.config.live })],
    });
  }

  /**
   * Coinbase Commerce documents no idempotency key for charges. A retried call may leave a second, unpaid charge
   * behind; it expires by itself, and both carry our session id in metadata, so a payment on either one finds
   * the same session. The key still travels in metadata, for support.
   */
  async createCheckout(input: CreateCheckoutInput): Promise<Result<CreatedCheckout, ProviderFailure>> {
    if (input.method !== 'crypto' && input.method !== 'any') return err(unsupportedPayment(`Coinbase Commerce takes crypto only, not ${input.method} payments`));
    const body: JsonObject = {
      name: `Order ${input.merchantOrderId}`.slice(0, 100),
      description: `Order ${input.merchantOrderId}`,
      pricing_type: 'fixed_price',
      local_price: { amount: minorToDecimal(input.amountMinor, input.currency), currency: input.currency.toUpperCase() },
      redirect_url: input.returnUrl,
      cancel_url: input.cancelUrl,
      metadata: { [META_SESSION_ID]: input.relaySessionId, [META_ORDER_ID]: input.merchantOrderId, payrelay_idempotency_key: input.idempotencyKey },
    };
    try {
      const response = await this.http.post('/charges', body);
      const charge = chargeOf(response.data);
      if (!charge || !charge.hosted_url) return err({ kind: 'fallback', code: 'server_error', message: 'Coinbase Commerce created a charge without a code or hosted_url' });
      const expiresAt = Date.parse(charge.expires_at ?? '');
      return ok({ providerSessionId: charge.code, checkoutUrl: charge.hosted_url, expiresAt: Number.isFinite(expiresAt) ? expiresAt : input.expiresAt, providerPaymentId: charge.code });
    } catch (error) {
      return err(classifyCoinbaseError(error));
    }
  }

  async fetchStatus(ref: { providerSessionId: string; relaySessionId: string }): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>> {
    const charge = await this.getCharge(ref.providerSessionId);
    if (!charge.ok) return charge;
    const mapped = mapCoinbaseTimeline(charge.value);
    const now = this.deps.clock.now();
    return ok({ event: coinbaseProviderEvent(charge.value, { eventId: `${charge.value.code}:${mapped.state}`, eventType: `charge.${mapped.state}`, occurredAt: now, mapped, livemode: this.config.live }) });
  }

  /** Only a NEW charge can be cancelled (`POST /charges/:code/cancel`); one with a payment on the way must stay open. */
  async expireCheckout(ref: { providerSessionId: string }): Promise<Result<void, ProviderFailure>> {
    if (!CHARGE_CODE.test(ref.providerSessionId)) return err({ kind: 'final', code: 'bad_request', message: `${ref.providerSessionId} is not a Coinbase Commerce charge code` });
    try {
      await this.http.post(`/charges/${encodeURIComponent(ref.providerSessionId)}/cancel`);
      return ok(undefined);
    } catch (error) {
      // 400: not NEW any more (paid, pending, expired): nothing is left to close, and money on the way must land.
      if (axios.isAxiosError(error) && error.response?.status === 400) return ok(undefined);
      return err(classifyCoinbaseError(error));
    }
  }

  private async getCharge(code: string): Promise<Result<CoinbaseCharge, ProviderFailure>> {
    if (!CHARGE_CODE.test(code)) return err({ kind: 'final', code: 'bad_request', message: `${code} is not a Coinbase Commerce charge code` });
    try {
      const response = await this.http.get(`/charges/${encodeURIComponent(code)}`);
      const charge = chargeOf(response.data);
      if (!charge || charge.code !== code) return err({ kind: 'fallback', code: 'server_error', message: 'Coinbase Commerce answered with something that is not this charge' });
      return ok(charge);
    } catch (error) {
      return err(classifyCoinbaseError(error));
    }
  }
}

/** API answers wrap the resource in `data` (api-fixtures/charge.json). */
function chargeOf(body: unknown): CoinbaseCharge | null {
  const data = isObject(body) ? obj(body, 'data') : undefined;
  if (!data) return null;
  const charge = parseCharge(data);
  return charge.ok ? charge.value : null;
}

/** Errors are `{"error":{"type","message"}}` (coinbase-commerce-node `errors.js`). */
export function classifyCoinbaseError(error: unknown): ProviderFailure {
  return classifyAxiosFailure(error, (httpStatus, body) => {
    const detail = isObject(body) ? obj(body, 'error') : undefined;
    const message = str(detail, 'message');
    const type = str(detail, 'type');
    const unsupported = (httpStatus === 400 || httpStatus === 422) && /currency|not supported|unsupported/i.test(message ?? '');
    return { message: message ?? `HTTP ${httpStatus}`, providerCode: type, unsupported };
  });
}
