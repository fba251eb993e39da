import fs from 'node:fs';
import path from 'node:path';
import { classifyWooCommerceError, parseRetryAfter } from '../../../../relay/src/adapters/woocommerce/classify-woocommerce-error';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'woocommerce');
const NOW = Date.parse('2026-11-27T07:53:43Z');

/** Every recorded error answer, with what the relay must do about it. */
const RECORDED: Array<[file: string, kind: string, code: string]> = [
  ['auth-none-401.json', 'permanent', 'woocommerce_rest_cannot_view'],
  ['auth-wrong-key-https-basic-401.json', 'permanent', 'woocommerce_rest_cannot_view'],
  ['order-get-missing-404.json', 'not_found', 'woocommerce_rest_shop_order_invalid_id'],
  ['order-update-missing-400.json', 'not_found', 'woocommerce_rest_shop_order_invalid_id'],
  ['order-note-missing-order-404.json', 'not_found', 'woocommerce_rest_order_invalid_id'],
  ['order-note-empty-400.json', 'permanent', 'rest_missing_callback_param'],
  ['order-update-invalid-status-400.json', 'permanent', 'rest_invalid_param'],
];

describe('classifyWooCommerceError', () => {
  it('has a row for every recorded error file', () => {
    const errorFiles = fs
      .readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.json'))
      .filter((f) => JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8')).status >= 400);
    expect(RECORDED.map(([f]) => f).sort()).toEqual(errorFiles.sort());
  });

  it.each(RECORDED)('%s → %s %s', (file, kind, code) => {
    const { status, body } = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
    expect(classifyWooCommerceError({ status, body, now: NOW })).toMatchObject({ kind, code, httpStatus: status });
  });

  const authError = (message: string) => ({ code: 'woocommerce_rest_authentication_error', message, data: { status: 401 } });
  const refundError = (message: string) => ({ code: 'woocommerce_rest_cannot_create_order_refund', message, data: { status: 500 } });

  it.each([
    // Errors the README quotes but did not record as files.
    ['wrong key', 401, authError('Consumer key is invalid.'), 'permanent', /WC_CONSUMER_KEY/],
    ['wrong secret (OAuth)', 401, authError('Invalid signature - provided signature does not match.'), 'permanent', /WC_CONSUMER_SECRET.*WC_URL.*localhost vs 127\.0\.0\.1/],
    ['wrong secret (https)', 401, authError('Consumer secret is invalid.'), 'permanent', /WC_CONSUMER_SECRET/],
    ['replayed nonce', 401, authError('Invalid nonce - nonce has already been used.'), 'permanent', /nonce/],
    ['old timestamp', 401, authError('Invalid timestamp.'), 'permanent', /clock/],
    ['refund too large', 500, refundError('Invalid refund amount.'), 'permanent', /Invalid refund amount/],
    ['refund without api_refund:false', 500, refundError('The payment gateway for this order does not exist.'), 'permanent', /gateway/],
    ['WordPress critical error', 500, { code: 'internal_server_error', message: 'critical', data: { status: 500 } }, 'retryable', /500/],
    ['503 maintenance', 503, { code: 'service_unavailable', message: 'Briefly unavailable', data: { status: 503 } }, 'retryable', /503/],
    ['408', 408, '', 'retryable', /408/],
    ['409', 409, { code: 'woocommerce_rest_conflict', message: 'x' }, 'retryable', /409/],
    ['429 html', 429, '<html><title>429 Too Many Requests</title></html>', 'retryable', /429/],
    ['502 nginx html', 502, '<html>\r\n<head><title>502 Bad Gateway</title></head></html>', 'retryable', /HTML page "502 Bad Gateway"/],
    ['403', 403, { code: 'woocommerce_rest_cannot_edit', message: 'Sorry' }, 'permanent', /Read\/Write/],
    ['other 4xx', 422, { code: 'rest_invalid_param', message: 'bad' }, 'permanent', /422/],
    ['404 without code', 404, '<html>Not Found</html>', 'not_found', /404/],
    ['no REST route (wrong WC_URL)', 404, { code: 'rest_no_route', message: 'No route' }, 'permanent', /WC_URL/],
    ['JSON as a string', 400, JSON.stringify({ code: 'woocommerce_rest_shop_order_invalid_id', message: 'Invalid ID.' }), 'not_found', /does not exist/],
  ])('%s → %s', (_name, status, body, kind, message) => {
    const failure = classifyWooCommerceError({ status, body, now: NOW });
    expect(failure.kind).toBe(kind);
    expect(failure.httpStatus).toBe(status);
    expect(failure.message).toMatch(message);
  });

  it('judges by code, not status: the refund 500 is permanent, a bare 500 retryable', () => {
    expect(classifyWooCommerceError({ status: 500, body: refundError('Invalid refund amount.'), now: NOW }).kind).toBe('permanent');
    expect(classifyWooCommerceError({ status: 500, body: undefined, now: NOW })).toMatchObject({ kind: 'retryable', code: 'http_500' });
  });

  it.each([
    ['axios timeout', { errorCode: 'ECONNABORTED', errorMessage: 'timeout of 300ms exceeded' }, 'timeout'],
    ['clarified timeout', { errorCode: 'ETIMEDOUT' }, 'timeout'],
    ['reset', { errorCode: 'ECONNRESET', errorMessage: 'read ECONNRESET' }, 'network'],
    ['socket hang up', { errorMessage: 'socket hang up' }, 'network'],
    ['refused', { errorCode: 'ECONNREFUSED' }, 'network'],
    ['DNS', { errorCode: 'ENOTFOUND' }, 'network'],
    ['unknown', {}, 'network'],
  ])('no answer: %s → retryable %s', (_name, input, code) => {
    expect(classifyWooCommerceError({ ...input, now: NOW })).toMatchObject({ kind: 'retryable', code });
  });

  it.each([
    ['seconds', '120', 120_000],
    ['zero', '0', 0],
    ['HTTP-date', 'Fri, 27 Nov 2026 07:54:13 GMT', 30_000],
    ['date in the past', 'Fri, 27 Nov 2026 07:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
    ['negative', '-5', undefined],
  ])('Retry-After %s', (_name, header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
    const failure = classifyWooCommerceError({ status: 429, body: '', headers: { 'Retry-After': header }, now: NOW });
    expect(failure.retryAfterMs).toBe(expected);
  });

  it('ignores Retry-After on permanent failures', () => {
    const failure = classifyWooCommerceError({ status: 400, body: { code: 'rest_invalid_param', message: 'x' }, headers: { 'retry-after': '5' }, now: NOW });
    expect(failure.retryAfterMs).toBeUndefined();
  });
});
