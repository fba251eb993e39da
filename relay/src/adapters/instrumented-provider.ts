import type { ProviderId } from '../domain/provider-event';
import type { RelayMetrics } from '../ports/metrics';
import type { PaymentProvider } from '../ports/payment-provider';

/**
 * The provider with every API call (any method that returns a promise: create, fetch, expire, and whatever a
 * provider adds) counted and timed. `verifyWebhook`, synchronous and on the hot path, is passed through untouched.
 * Methods are looked up on the real provider each time, so a provider's own `this` and fields keep working.
 */
export function instrumentProvider(provider: PaymentProvider, metrics: RelayMetrics): PaymentProvider {
  // Keyed by the function it wraps: a method replaced on the provider (a test's spy) gets a fresh wrapper.
  const wrapped = new WeakMap<object, unknown>();
  return new Proxy(provider, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(value);
      if (fn) return fn;
      const method = String(property);
      if (property === 'verifyWebhook' || property === 'constructor') {
        // Bound once, not per call: this is on every webhook's path.
        fn = (value as (...a: unknown[]) => unknown).bind(target);
      } else {
        fn = (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          const started = performance.now();
          const seconds = () => (performance.now() - started) / 1000;
          return result.then(
            (answer: unknown) => {
              metrics.providerCall(target.id, method, outcomeOf(answer), seconds());
              return answer;
            },
            (error: unknown) => {
              metrics.providerCall(target.id, method, 'threw', seconds());
              throw error;
            },
          );
        };
      }
      wrapped.set(value, fn);
      return fn;
    },
  });
}

/** `ok`, or the failure's kind (retryable, permanent, …) for a Result; `ok` for anything else that resolved. */
function outcomeOf(answer: unknown): string {
  if (typeof answer !== 'object' || answer === null || !('ok' in answer)) return 'ok';
  if ((answer as { ok: unknown }).ok === true) return 'ok';
  const error = (answer as { error?: { kind?: unknown } }).error;
  return typeof error?.kind === 'string' ? error.kind : 'failed';
}

export function instrumentProviders(providers: ReadonlyMap<ProviderId, PaymentProvider>, metrics: RelayMetrics): Map<ProviderId, PaymentProvider> {
  return new Map([...providers].map(([id, provider]) => [id, instrumentProvider(provider, metrics)]));
}
