import type { ProviderFailure } from '../ports/payment-provider';

/** What an adapter learned about a failed call, before it is classified for routing. */
export interface CallFailureFacts {
  /** No answer in time (our timeout or the socket's). */
  timedOut?: boolean;
  /** No HTTP answer at all: refused, reset, DNS. */
  network?: boolean;
  httpStatus?: number;
  /** The provider said, in its own words, that it cannot take this payment (method, currency, amount, country). */
  unsupported?: boolean;
  /** The provider's error code or type, kept in the message for support. */
  providerCode?: string;
  message: string;
}

/**
 * Classify a failed provider call for routing (issue 3): anything that says "try elsewhere" is `fallback`
 * (timeout, network, 5xx, 429, a provider that cannot take this payment); a request the provider refused on its
 * merits is `final`, because another provider would be asked the same wrong thing, or because a refused key is
 * a configuration problem a person must fix.
 */
export function classifyProviderFailure(facts: CallFailureFacts): ProviderFailure {
  const detail = facts.providerCode ? `${facts.message} (${facts.providerCode})` : facts.message;
  const httpStatus = facts.httpStatus;
  if (facts.timedOut) return { kind: 'fallback', code: 'timeout', message: `provider did not answer in time: ${detail}` };
  if (httpStatus === undefined || facts.network) return { kind: 'fallback', code: 'network', message: `provider unreachable: ${detail}` };
  if (facts.unsupported) return { kind: 'fallback', code: 'unsupported_payment', message: `provider cannot take this payment: ${detail}`, httpStatus };
  if (httpStatus === 429) return { kind: 'fallback', code: 'rate_limited', message: `provider rate limit: ${detail}`, httpStatus };
  if (httpStatus >= 500) return { kind: 'fallback', code: 'server_error', message: `provider error ${httpStatus}: ${detail}`, httpStatus };
  // 408 is the provider's own timeout: nothing was decided, so another provider may try.
  if (httpStatus === 408) return { kind: 'fallback', code: 'timeout', message: `provider timed out: ${detail}`, httpStatus };
  if (httpStatus === 401 || httpStatus === 403) return { kind: 'final', code: 'auth', message: `provider refused our API key: ${detail}`, httpStatus };
  if (httpStatus === 404) return { kind: 'final', code: 'not_found', message: `provider does not know this resource: ${detail}`, httpStatus };
  return { kind: 'final', code: 'bad_request', message: `provider refused the request: ${detail}`, httpStatus };
}

/** A call we refused to make because the provider cannot take this payment (known before asking). */
export function unsupportedPayment(message: string): ProviderFailure {
  return { kind: 'fallback', code: 'unsupported_payment', message };
}
