import { assertMatchesOpenapi } from '../helpers/openapi-contract';

/** The checker the HTTP tests run on every answer: it must catch drift, not wave it through. */
describe('assertMatchesOpenapi (shared/openapi.yaml)', () => {
  const ping = { ok: true, version: '0.1.0', mode: 'test', time: '2026-12-01T10:00:00.000Z' };

  it('passes an answer the document describes, $refs and all', () => {
    expect(() => assertMatchesOpenapi({ method: 'POST', url: '/v1/ping', status: 200, contentType: 'application/json; charset=utf-8', responseBody: ping })).not.toThrow();
    expect(() => assertMatchesOpenapi({ method: 'POST', url: '/v1/ping', status: 401, contentType: 'application/json', responseBody: { error: { code: 'bad_signature', message: 'x' } } })).not.toThrow();
  });

  it.each<[string, Parameters<typeof assertMatchesOpenapi>[0], RegExp]>([
    ['a field of the wrong type', { method: 'POST', url: '/v1/ping', status: 200, contentType: 'application/json', responseBody: { ...ping, mode: 'staging' } }, /must be equal to one of the allowed values/],
    ['a required field missing', { method: 'POST', url: '/v1/ping', status: 200, contentType: 'application/json', responseBody: { ok: true } }, /must have required property 'version'/],
    ['an undocumented status', { method: 'POST', url: '/v1/ping', status: 418, contentType: 'application/json', responseBody: {} }, /answered 418, which shared\/openapi\.yaml does not document/],
    ['an undocumented path', { method: 'GET', url: '/v1/nowhere', status: 200, contentType: 'application/json', responseBody: {} }, /GET \/v1\/nowhere is not in shared\/openapi\.yaml/],
    ['another content type', { method: 'GET', url: '/readyz', status: 200, contentType: 'text/html', responseBody: '' }, /as text\/html; shared\/openapi\.yaml says application\/json/],
    ['an error body in another shape', { method: 'POST', url: '/v1/ping', status: 401, contentType: 'application/json', responseBody: { message: 'no' } }, /does not match/],
  ])('fails %s', (_name, exchange, message) => {
    expect(() => assertMatchesOpenapi(exchange)).toThrow(message);
  });
});
