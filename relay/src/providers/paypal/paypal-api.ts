import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import type { Clock } from '../../ports/clock';
import type { ProviderFailure } from '../../ports/payment-provider';
import { classifyAxiosFailure } from '../axios-failure';
import { isObject, num, str } from '../json-reader';

/** PayPal error names that mean "not this payment here": routing may try another provider. */
const UNSUPPORTED_ISSUES = new Set(['CURRENCY_NOT_SUPPORTED', 'PAYEE_ACCOUNT_RESTRICTED', 'PAYEE_NOT_ENABLED_FOR_CARD_PROCESSING', 'AMOUNT_NOT_SUPPORTED', 'COUNTRY_NOT_SUPPORTED']);

export interface PaypalCredentials {
  clientId: string;
  clientSecret: string;
  apiBase: string;
}

/**
 * PayPal's REST API over axios, with the OAuth2 client-credentials token cached until shortly before it expires
 * (https://developer.paypal.com/api/rest/authentication/). The official SDK adds nothing the relay uses and
 * hides the timeout and idempotency headers routing depends on.
 */
export class PaypalApi {
  private readonly http: AxiosInstance;
  private token: { value: string; until: number } | null = null;
  private tokenRequest: Promise<string> | null = null;

  constructor(private readonly credentials: PaypalCredentials, private readonly clock: Clock, timeoutMs: number) {
    this.http = axios.create({ baseURL: credentials.apiBase.replace(/\/+$/, ''), timeout: timeoutMs, headers: { Accept: 'application/json' } });
  }

  async request<T = unknown>(config: AxiosRequestConfig): Promise<T> {
    const token = await this.accessToken();
    try {
      const response = await this.http.request<T>({ ...config, headers: { ...(config.headers ?? {}), Authorization: `Bearer ${token}` } });
      return response.data;
    } catch (error) {
      // A token revoked or expired early: forget it, so the next call asks for a new one.
      if (axios.isAxiosError(error) && error.response?.status === 401) this.token = null;
      throw error;
    }
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.clock.now() < this.token.until) return this.token.value;
    // Concurrent calls share one token request.
    this.tokenRequest ??= this.fetchToken().finally(() => {
      this.tokenRequest = null;
    });
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const response = await this.http.post('/v1/oauth2/token', 'grant_type=client_credentials', {
      auth: { username: this.credentials.clientId, password: this.credentials.clientSecret },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const body: unknown = response.data;
    const value = isObject(body) ? str(body, 'access_token') : undefined;
    if (!value) throw new Error('PayPal answered the token request without an access_token');
    const expiresIn = (isObject(body) ? num(body, 'expires_in') : undefined) ?? 300;
    // A minute early, so a token never expires between our check and PayPal's.
    this.token = { value, until: this.clock.now() + Math.max(0, expiresIn - 60) * 1000 };
    return value;
  }
}

/** PayPal errors are `{name, message, details: [{issue, description}]}` (https://developer.paypal.com/api/rest/responses/). */
export function classifyPaypalError(error: unknown): ProviderFailure {
  return classifyAxiosFailure(error, (httpStatus, body) => describePaypalError(httpStatus, body));
}

export function describePaypalError(httpStatus: number, body: unknown): { message: string; providerCode?: string; unsupported: boolean } {
  const details = isObject(body) && Array.isArray(body.details) ? body.details.filter(isObject) : [];
  const issue = details.map((detail) => str(detail, 'issue')).find((value) => value !== undefined);
  const description = details.map((detail) => str(detail, 'description')).find((value) => value !== undefined);
  const message = description ?? (isObject(body) ? str(body, 'message') ?? str(body, 'error_description') : undefined) ?? `HTTP ${httpStatus}`;
  const name = isObject(body) ? str(body, 'name') ?? str(body, 'error') : undefined;
  return { message, providerCode: issue ?? name, unsupported: httpStatus === 422 && issue !== undefined && UNSUPPORTED_ISSUES.has(issue) };
}

/** The first `issue` of a PayPal error answer, for the cases the adapter treats specially. */
export function paypalIssue(error: unknown): string | undefined {
  if (!axios.isAxiosError(error) || !error.response) return undefined;
  const body: unknown = error.response.data;
  const details = isObject(body) && Array.isArray(body.details) ? body.details.filter(isObject) : [];
  return details.map((detail) => str(detail, 'issue')).find((value) => value !== undefined);
}
