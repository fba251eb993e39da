import axios from 'axios';
import type { ProviderFailure } from '../ports/payment-provider';
import { classifyProviderFailure } from './provider-failure';

/**
 * Classify an axios error from a provider's REST API. `describe` reads the provider's error body: its code,
 * its message, and whether it says the provider cannot take this payment.
 */
export function classifyAxiosFailure(
  error: unknown,
  describe: (httpStatus: number, body: unknown) => { message: string; providerCode?: string; unsupported: boolean },
): ProviderFailure {
  if (!axios.isAxiosError(error)) {
    return classifyProviderFailure({ network: true, message: error instanceof Error ? error.message : String(error) });
  }
  if (!error.response) {
    const timedOut = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' || /timeout/i.test(error.message);
    return classifyProviderFailure({ timedOut, network: true, message: error.code ? `${error.code}: ${error.message}` : error.message });
  }
  const { status, data } = error.response;
  const described = describe(status, data);
  return classifyProviderFailure({ httpStatus: status, ...described });
}
