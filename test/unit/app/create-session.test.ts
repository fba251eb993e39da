import { providerIdempotencyKey } from '../../../relay/src/app/create-session';
import { failures, fakeProvider } from '../../helpers/fake-provider';
import { sessionHarness } from '../../helpers/session-fixtures';

const kinds = (h: ReturnType<typeof sessionHarness>) => h.log.entries.map((e) => `${e.kind}:${e.provider ?? '-'}`);

describe('createSession', () => {
  test('creates a session at the first candidate and records every step', async () => {
    const stripe = fakeProvider({ id: 'stripe' });
    const h = sessionHarness([stripe]);
    const result = await h.create({}, 'idem-1');
    expect(result).toEqual({
      ok: true,
      value: { sessionId: 'ps_1', provider: 'stripe', checkoutUrl: 'https://stripe.example/pay/stripe_cs_1', expiresAt: h.clock.now() + 60 * 60_000, status: 'created', statusToken: expect.any(String) },
    });
    const stored = h.sessions.rows.get('ps_1')!;
    expect(stored).toMatchObject({ status: 'created', provider: 'stripe', providerSessionId: 'stripe_cs_1', attempt: 1, idempotencyKey: 'idem-1', livemode: false });
    expect(stripe.calls[0]).toMatchObject({ relaySessionId: 'ps_1', idempotencyKey: providerIdempotencyKey('1001', 1, 'stripe'), webhookUrl: 'https://relay.example/webhooks/stripe' });
    // The unconfigured sandbox is a fact about the relay (GET /v1/methods, the plugin's settings), not an event of this order.
    expect(kinds(h)).toEqual(['provider_selected:stripe', 'session_created:stripe', 'customer_redirected:stripe']);
    expect(h.log.entries.filter((entry) => entry.message.includes('not configured'))).toEqual([]);
    expect(h.log.entries[2].message).toBe('Customer sent to Stripe checkout');
  });

  test.each([
    ['timeout', failures.timeout],
    ['5xx', failures.serverError],
    ['network error', failures.network],
    ['unsupported payment', failures.unsupported],
  ])('falls back to the second provider on %s', async (_name, failure) => {
    const stripe = fakeProvider({ id: 'stripe', script: [{ do: 'fail', failure }] });
    const sandbox = fakeProvider({ id: 'sandbox' });
    const h = sessionHarness([stripe, sandbox]);
    const result = await h.create();
    expect(result.ok && result.value.provider).toBe('sandbox');
    expect(kinds(h)).toEqual(['provider_selected:stripe', 'provider_attempt_failed:stripe', 'provider_selected:sandbox', 'session_created:sandbox', 'customer_redirected:sandbox']);
    expect(h.log.entries[1].message).toContain(failure.code);
    expect(h.log.entries[1].message).toContain('trying the next provider');
  });

  test('a hanging provider is cut off by the attempt timeout and the next one is tried', async () => {
    const stripe = fakeProvider({ id: 'stripe', script: [{ do: 'hang' }] });
    const sandbox = fakeProvider({ id: 'sandbox' });
    const h = sessionHarness([stripe, sandbox], { attemptTimeoutMs: 30 });
    const result = await h.create();
    stripe.release();
    expect(result.ok && result.value.provider).toBe('sandbox');
    expect(h.log.entries.find((e) => e.kind === 'provider_attempt_failed')?.data).toMatchObject({ code: 'timeout' });
  });

  test('the total budget stops trying further providers', async () => {
    const stripe = fakeProvider({ id: 'stripe', script: [{ do: 'hang' }] });
    const sandbox = fakeProvider({ id: 'sandbox' });
    const h = sessionHarness([stripe, sandbox], { budgetMs: 30, attemptTimeoutMs: 1000 });
    const result = await h.create();
    stripe.release();
    expect(result.ok).toBe(false);
    expect(sandbox.calls).toHaveLength(0);
    expect(!result.ok && result.error.code).toBe('providers_unavailable');
    expect(!result.ok && result.error.message).toContain('time budget');
  });

  test('no fallback on a final failure', async () => {
    const stripe = fakeProvider({ id: 'stripe', script: [{ do: 'fail', failure: failures.badRequest }] });
    const sandbox = fakeProvider({ id: 'sandbox' });
    const h = sessionHarness([stripe, sandbox]);
    const result = await h.create();
    expect(sandbox.calls).toHaveLength(0);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('provider_refused');
    expect(result.error.message).toContain('invalid return_url');
    expect(h.sessions.rows.size).toBe(0);
  });

  test('every provider down → providers_unavailable (503) naming each failure', async () => {
    const stripe = fakeProvider({ id: 'stripe', then: { do: 'fail', failure: failures.serverError } });
    const sandbox = fakeProvider({ id: 'sandbox', then: { do: 'fail', failure: failures.timeout } });
    const h = sessionHarness([stripe, sandbox]);
    const result = await h.create();
    expect(!result.ok && result.error.code).toBe('providers_unavailable');
    expect(!result.ok && result.error.message).toMatch(/Stripe: server_error.*Payrelay Sandbox: timeout/);
  });

  test('no provider can take it → no_provider_available with every reason', async () => {
    const stripe = fakeProvider({ id: 'stripe', then: { do: 'fail', failure: failures.unsupported } });
    const h = sessionHarness([stripe]);
    const result = await h.create();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('no_provider_available');
    expect(result.error.message).toContain('Stripe: unsupported_payment');
    expect(result.error.message).toContain('Payrelay Sandbox: not configured');
  });

  test.each([
    ['crypto has a rule with no providers', { method: 'crypto' as const }, /not configured/],
    ['bank transfer in the US matches no rule', { method: 'bank_transfer' as const, currency: 'USD', customer: { email: 'a@b.c', country: 'US' } }, /No routing rule matches/],
    ['bank transfer in NL with nothing configured', { method: 'bank_transfer' as const }, /Mollie: not configured; Stripe: not configured/],
  ])('%s', async (_name, request, message) => {
    const h = sessionHarness([]);
    const result = await h.create(request);
    expect(!result.ok && result.error.code).toBe('no_provider_available');
    expect(!result.ok && result.error.message).toMatch(message);
  });

  test('the breaker opens after repeated failures, skips the provider, and probes it after the cool-down', async () => {
    const policy = { consecutiveFailures: 2, failureRate: 1, windowSize: 10, minimumCalls: 10, coolDownMs: 60_000, probeTimeoutMs: 120_000 };
    const stripe = fakeProvider({ id: 'stripe', script: [{ do: 'fail', failure: failures.serverError }, { do: 'fail', failure: failures.serverError }] });
    const sandbox = fakeProvider({ id: 'sandbox' });
    const h = sessionHarness([stripe, sandbox], { policy });
    await h.create({ orderId: 'a' });
    await h.create({ orderId: 'b' });
    expect(h.breakers.state('stripe').phase).toBe('open');

    const skipped = await h.create({ orderId: 'c' });
    expect(skipped.ok && skipped.value.provider).toBe('sandbox');
    expect(stripe.calls).toHaveLength(2);
    expect(h.log.listByOrder('c')[0]).toMatchObject({ kind: 'provider_attempt_failed', provider: 'stripe' });
    expect(h.log.listByOrder('c')[0].message).toMatch(/Stripe skipped: circuit open \(2 failures in a row\)/);

    h.clock.advance(60_000);
    const probed = await h.create({ orderId: 'd' });
    expect(probed.ok && probed.value.provider).toBe('stripe');
    expect(h.breakers.state('stripe').phase).toBe('closed');
  });

  test('an idempotent repeat returns the same session without calling a provider', async () => {
    const stripe = fakeProvider({ id: 'stripe' });
    const h = sessionHarness([stripe]);
    const first = await h.create({}, 'key-1');
    const second = await h.create({}, 'key-1');
    expect(second).toEqual(first);
    expect(stripe.calls).toHaveLength(1);
    expect(h.sessions.rows.size).toBe(1);
  });

  test('concurrent repeats with one Idempotency-Key create one session', async () => {
    const stripe = fakeProvider({ id: 'stripe', latencyMs: 20 });
    const h = sessionHarness([stripe]);
    const results = await Promise.all(Array.from({ length: 5 }, () => h.create({}, 'key-c')));
    expect(new Set(results.map((r) => r.ok && r.value.sessionId))).toEqual(new Set(['ps_1']));
    expect(stripe.calls).toHaveLength(1);
    expect(h.sessions.rows.size).toBe(1);
  });

  test('a request whose turn does not come within its budget (the order\'s request before it still holds it) is refused, and calls no provider', async () => {
    const stripe = fakeProvider({ id: 'stripe' });
    const h = sessionHarness([stripe], { budgetMs: 400 });
    let release!: () => void;
    const earlier = h.deps.orderLock.run('session:1001', 1_000, () => new Promise<void>((resolve) => (release = resolve)));
    const result = await h.create({}, 'key-late');
    expect(result).toEqual({ ok: false, error: { code: 'earlier_request_in_flight', message: expect.stringContaining('An earlier payment request for order 1001 is still being made'), retryAfterSeconds: 5 } });
    expect(stripe.calls).toHaveLength(0);
    release();
    await earlier;
    // Its turn free, the same request is made.
    expect((await h.create({}, 'key-late')).ok).toBe(true);
  });

  test('the same Idempotency-Key with a different body is a conflict', async () => {
    const h = sessionHarness([fakeProvider({ id: 'stripe' })]);
    await h.create({}, 'key-2');
    const result = await h.create({ amountMinor: 9999 }, 'key-2');
    expect(!result.ok && result.error.code).toBe('idempotency_conflict');
  });

  test('a new attempt expires the older open sessions of the order at their provider', async () => {
    const stripe = fakeProvider({ id: 'stripe' });
    const h = sessionHarness([stripe]);
    await h.create({}, 'try-1');
    h.clock.advance(5 * 60_000);
    const second = await h.create({}, 'try-2');
    expect(second.ok && second.value.sessionId).toBe('ps_2');
    expect(stripe.expired).toEqual(['stripe_cs_1']);
    expect(h.sessions.get('ps_1')!.status).toBe('expired');
    expect(h.sessions.rows.get('ps_2')!.attempt).toBe(2);
    expect(stripe.calls[1].idempotencyKey).toBe(providerIdempotencyKey('1001', 2, 'stripe'));
    const expiry = h.log.entries.filter((e) => e.sessionId === 'ps_1').find((e) => e.kind === 'session_expired');
    expect(expiry?.message).toContain('new attempt (session ps_2)');
  });

  test('an older session paid while it was being closed at the provider stays paid (money is never turned into expired)', async () => {
    let h: ReturnType<typeof sessionHarness>;
    const stripe = fakeProvider({ id: 'stripe', duringExpire: () => h.sessions.update('ps_1', { status: 'paid' }, h.clock.now()) });
    h = sessionHarness([stripe]);
    await h.create({}, 'try-1');
    const second = await h.create({}, 'try-2');
    expect(second.ok && second.value.sessionId).toBe('ps_2');
    expect(stripe.expired).toEqual(['stripe_cs_1']);
    expect(h.sessions.get('ps_1')!.status).toBe('paid');
    expect(h.log.entries.filter((e) => e.sessionId === 'ps_1' && e.kind === 'session_expired')).toHaveLength(0);
  });

  test('an older session that cannot be expired at the provider stays open and is logged', async () => {
    const stripe = fakeProvider({ id: 'stripe', expireResult: { ok: false, error: failures.serverError } });
    const h = sessionHarness([stripe]);
    await h.create();
    await h.create();
    expect(h.sessions.get('ps_1')!.status).toBe('created');
    expect(h.log.entries.filter((e) => e.sessionId === 'ps_1').some((e) => e.kind === 'error' && /Could not expire/.test(e.message))).toBe(true);
  });

  test('a failed attempt still uses up its attempt number, so provider keys are never reused', async () => {
    const stripe = fakeProvider({ id: 'stripe', script: [{ do: 'fail', failure: failures.serverError }] });
    const h = sessionHarness([stripe]);
    expect((await h.create()).ok).toBe(false);
    expect((await h.create()).ok).toBe(true);
    expect(stripe.calls.map((c) => c.idempotencyKey)).toEqual([providerIdempotencyKey('1001', 1, 'stripe'), providerIdempotencyKey('1001', 2, 'stripe')]);
  });

  test('a provider adapter that throws does not stop the fallback', async () => {
    const stripe = fakeProvider({ id: 'stripe' });
    stripe.createCheckout = () => Promise.reject(new Error('boom'));
    const h = sessionHarness([stripe, fakeProvider({ id: 'sandbox' })]);
    const result = await h.create();
    expect(result.ok && result.value.provider).toBe('sandbox');
  });
});
