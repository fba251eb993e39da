import type { PaymentMethod } from '../../relay/src/domain/payment-session';
import type { ProviderId } from '../../relay/src/domain/provider-event';
import { err, ok, type Result } from '../../relay/src/domain/result';
import type {
  CreateCheckoutInput,
  CreatedCheckout,
  PaymentProvider,
  ProviderCapabilities,
  ProviderFailure,
  ProviderPaymentSnapshot,
} from '../../relay/src/ports/payment-provider';

/** What the fake does on one createCheckout call. */
export type FakeStep =
  | { do: 'succeed' }
  | { do: 'fail'; failure: ProviderFailure }
  /** Never answers (until `release()`), so the relay's timeout is what ends the call. */
  | { do: 'hang' };

export const failures = {
  timeout: { kind: 'fallback', code: 'timeout', message: 'the provider did not answer in time' },
  serverError: { kind: 'fallback', code: 'server_error', message: 'HTTP 503 from the provider', httpStatus: 503 },
  network: { kind: 'fallback', code: 'network', message: 'connection reset' },
  unsupported: { kind: 'fallback', code: 'unsupported_payment', message: 'this payment method is not activated', httpStatus: 422 },
  badRequest: { kind: 'final', code: 'bad_request', message: 'invalid return_url', httpStatus: 400 },
  auth: { kind: 'final', code: 'auth', message: 'API key refused', httpStatus: 401 },
} satisfies Record<string, ProviderFailure>;

export interface FakeProviderOptions {
  id: ProviderId;
  capabilities?: Partial<ProviderCapabilities>;
  /** Steps used one per call, in order; after they run out, `then` applies (default: succeed). */
  script?: FakeStep[];
  then?: FakeStep;
  /** Added to every answer, in real milliseconds (for the benchmark and concurrency tests). */
  latencyMs?: number;
  expireResult?: Result<void, ProviderFailure>;
  /** Runs while expireCheckout is in flight (e.g. the webhook of a payment that lands meanwhile). */
  duringExpire?: (providerSessionId: string) => void;
}

/**
 * A configurable PaymentProvider. Like a real provider it honours the idempotency key: the same key returns
 * the same session, so tests can count "sessions really created" in `created`.
 */
export class FakeProvider implements PaymentProvider {
  readonly id: ProviderId;
  readonly capabilities: ProviderCapabilities;
  readonly calls: CreateCheckoutInput[] = [];
  readonly created = new Map<string, CreatedCheckout>();
  readonly expired: string[] = [];
  private readonly script: FakeStep[];
  private readonly hanging: Array<() => void> = [];

  constructor(private readonly options: FakeProviderOptions) {
    this.id = options.id;
    this.capabilities = {
      methods: ['card', 'bank_transfer', 'wallet'] as PaymentMethod[],
      canExpire: true,
      ...options.capabilities,
    };
    this.script = [...(options.script ?? [])];
  }

  /** Queue more steps. */
  next(...steps: FakeStep[]): this {
    this.script.push(...steps);
    return this;
  }

  /** Answer hung calls (with a failure), so nothing dangles when a test ends. */
  release(): void {
    this.hanging.splice(0).forEach((resolve) => resolve());
  }

  verifyWebhook(): never {
    throw new Error('FakeProvider does not receive webhooks');
  }

  async createCheckout(input: CreateCheckoutInput): Promise<Result<CreatedCheckout, ProviderFailure>> {
    this.calls.push(input);
    const step = this.script.shift() ?? this.options.then ?? { do: 'succeed' };
    if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    switch (step.do) {
      case 'fail':
        return err(step.failure);
      case 'hang':
        await new Promise<void>((resolve) => this.hanging.push(resolve));
        return err(failures.timeout);
      case 'succeed': {
        const existing = this.created.get(input.idempotencyKey);
        if (existing) return ok(existing);
        const n = this.created.size + 1;
        const checkout: CreatedCheckout = {
          providerSessionId: `${this.id}_cs_${n}`,
          checkoutUrl: `https://${this.id}.example/pay/${this.id}_cs_${n}`,
          expiresAt: input.expiresAt,
          providerPaymentId: null,
        };
        this.created.set(input.idempotencyKey, checkout);
        return ok(checkout);
      }
    }
  }

  async fetchStatus(): Promise<Result<ProviderPaymentSnapshot, ProviderFailure>> {
    return err({ kind: 'final', code: 'not_found', message: 'FakeProvider keeps no payment state' });
  }

  async expireCheckout(ref: { providerSessionId: string }): Promise<Result<void, ProviderFailure>> {
    const result = this.options.expireResult ?? ok(undefined);
    await Promise.resolve();
    this.options.duringExpire?.(ref.providerSessionId);
    if (result.ok) this.expired.push(ref.providerSessionId);
    return result;
  }
}

export function fakeProvider(options: FakeProviderOptions): FakeProvider {
  return new FakeProvider(options);
}
