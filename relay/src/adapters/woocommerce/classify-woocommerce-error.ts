import type { GatewayFailure } from '../../ports/order-gateway';

/** What one failed WooCommerce call left behind, independent of the HTTP client that made it. */
export interface WooCommerceErrorInput {
  /** HTTP status, or undefined when no answer arrived (timeout, dropped connection, refused). */
  status?: number;
  /** Parsed JSON, a string (nginx's HTML page), or nothing. */
  body?: unknown;
  headers?: Record<string, string | string[] | undefined>;
  /** Node / axios error code: ECONNABORTED, ETIMEDOUT, ECONNRESET, ECONNREFUSED, ERR_BAD_RESPONSE, … */
  errorCode?: string;
  /** The client's error message, for "socket hang up" which has no code of its own on some paths. */
  errorMessage?: string;
  /** The moment the failure was seen; used to turn an HTTP-date Retry-After into a delay. */
  now: number;
}

/** Error codes WooCommerce uses for "this order does not exist" (a PUT to a missing order answers 400, not 404). */
const NOT_FOUND_CODES = new Set(['woocommerce_rest_shop_order_invalid_id', 'woocommerce_rest_order_invalid_id', 'woocommerce_rest_invalid_id']);

/**
 * WooCommerce answers 500 for refund errors that no retry will fix (amount above what is left, gateway missing);
 * see test/fixtures/woocommerce/README.md. A relay that retries every 5xx would retry these forever.
 */
const PERMANENT_5XX_CODES = new Set(['woocommerce_rest_cannot_create_order_refund']);

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/**
 * Classifies a failed WooCommerce REST call by what the caller should do, judged by WooCommerce's error `code`
 * first and the HTTP status second. Pure: the caller passes the time for Retry-After dates.
 */
export function classifyWooCommerceError(input: WooCommerceErrorInput): GatewayFailure {
  const { status } = input;
  if (status === undefined) return classifyTransport(input);

  const wc = readWooError(input.body);
  const retryAfterMs = parseRetryAfter(header(input.headers, 'retry-after'), input.now);
  const withStatus = (failure: Omit<GatewayFailure, 'httpStatus'>): GatewayFailure => ({
    ...failure,
    httpStatus: status,
    ...(retryAfterMs !== undefined && failure.kind === 'retryable' ? { retryAfterMs } : {}),
  });

  if (wc && NOT_FOUND_CODES.has(wc.code)) {
    return withStatus({ kind: 'not_found', code: wc.code, message: `WooCommerce says the order does not exist (${wc.code}): ${wc.message}` });
  }
  if (status === 404) {
    const code = wc?.code ?? 'http_404';
    if (code === 'rest_no_route') {
      return withStatus({
        kind: 'permanent',
        code,
        message: 'The shop has no WooCommerce REST route here: check WC_URL (the site address, without /wp-json) and that WooCommerce is active',
      });
    }
    return withStatus({ kind: 'not_found', code, message: `WooCommerce answered 404${wc ? ` (${wc.code}): ${wc.message}` : ''}` });
  }
  if (wc && PERMANENT_5XX_CODES.has(wc.code)) {
    return withStatus({ kind: 'permanent', code: wc.code, message: `WooCommerce refused the refund record: ${wc.message}` });
  }
  if (status === 401 || status === 403) {
    return withStatus({ kind: 'permanent', code: wc?.code ?? `http_${status}`, message: authAdvice(status, wc) });
  }
  if (status === 408 || status === 409 || status === 425 || status === 429 || status >= 500) {
    const code = wc?.code ?? `http_${status}`;
    const what = wc ? `${wc.code}: ${wc.message}` : describeNonJson(input.body);
    return withStatus({ kind: 'retryable', code, message: `WooCommerce answered ${status} (${what})` });
  }
  if (status >= 400) {
    const code = wc?.code ?? `http_${status}`;
    return withStatus({ kind: 'permanent', code, message: `WooCommerce rejected the request with ${status}${wc ? ` (${wc.code}): ${wc.message}` : ''}` });
  }
  // A 2xx or 3xx that the caller could not use (unexpected body, redirect to a login page): not going to change.
  return withStatus({ kind: 'permanent', code: `http_${status}`, message: `WooCommerce answered ${status} with something that is not the expected JSON` });
}

function classifyTransport(input: WooCommerceErrorInput): GatewayFailure {
  const code = input.errorCode ?? '';
  const message = input.errorMessage ?? '';
  if (TIMEOUT_CODES.has(code) || /timeout/i.test(message)) {
    return {
      kind: 'retryable',
      code: 'timeout',
      message: 'WooCommerce did not answer in time; the write may or may not have happened, so the retry checks the order first',
    };
  }
  if (NETWORK_CODES.has(code) || /socket hang up|ECONNRESET|network error/i.test(message)) {
    return {
      kind: 'retryable',
      code: 'network',
      message: `The connection to WooCommerce failed (${code || message || 'no answer'})`,
    };
  }
  // No status and no known code: still a transport problem, and a transport problem may go away.
  return { kind: 'retryable', code: 'network', message: `No answer from WooCommerce (${code || message || 'unknown error'})` };
}

function authAdvice(status: number, wc: WooError | null): string {
  const said = wc ? ` (${wc.code}: ${wc.message})` : '';
  const text = wc?.message ?? '';
  let fix: string;
  if (/consumer key is invalid/i.test(text)) {
    fix = 'the consumer key is not known to the shop: set WC_CONSUMER_KEY to a key from WooCommerce → Settings → Advanced → REST API';
  } else if (/signature/i.test(text)) {
    fix =
      'the OAuth signature did not match: check WC_CONSUMER_SECRET, and that WC_URL is exactly the WordPress site address ' +
      '(Settings → General; http vs https, localhost vs 127.0.0.1, port and path all count), because WooCommerce signs over its own URL';
  } else if (/timestamp/i.test(text)) {
    fix = "the request's timestamp is more than 15 minutes off the shop's clock: sync the clock (NTP) of the relay or the shop";
  } else if (/nonce/i.test(text)) {
    fix = 'an OAuth nonce was reused; if this repeats, check that nothing replays the relay\'s requests';
  } else if (/consumer secret/i.test(text)) {
    fix = 'the consumer secret does not belong to the key: set WC_CONSUMER_SECRET to the cs_ secret shown with WC_CONSUMER_KEY';
  } else if (wc?.code === 'woocommerce_rest_cannot_view' || wc?.code === 'woocommerce_rest_cannot_edit' || wc?.code === 'woocommerce_rest_cannot_create') {
    fix =
      'the shop treated the request as unauthenticated or not allowed: check WC_CONSUMER_KEY/WC_CONSUMER_SECRET, that the key has Read/Write ' +
      'permission, and, for a plain http shop, that a proxy does not strip the OAuth query parameters (over http WooCommerce accepts only OAuth 1.0a)';
  } else {
    fix = 'check WC_CONSUMER_KEY, WC_CONSUMER_SECRET (Read/Write key) and WC_URL';
  }
  return `WooCommerce refused the relay's credentials with ${status}${said}: ${fix}`;
}

interface WooError {
  code: string;
  message: string;
}

/** WooCommerce / WP REST errors are `{code, message, data: {status}}`. */
function readWooError(body: unknown): WooError | null {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof value !== 'object' || value === null) return null;
  const { code, message } = value as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || code === '') return null;
  return { code, message: typeof message === 'string' ? message : '' };
}

function describeNonJson(body: unknown): string {
  if (typeof body === 'string') {
    const title = /<title>([^<]{1,100})<\/title>/i.exec(body);
    if (title) return `an HTML page "${title[1].trim()}", so the shop's PHP or proxy is down`;
    return 'a body that is not WooCommerce JSON';
  }
  return 'no WooCommerce error code';
}

function header(headers: WooCommerceErrorInput['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a date in the past means "now". */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
