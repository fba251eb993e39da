import { performance } from 'node:perf_hooks';
import type { BreakerBoard } from '../domain/circuit-breaker';
import { formatMoney } from '../domain/money';
import type { PaymentSession } from '../domain/payment-session';
import { countsAgainstHealth, learnFromAttempt } from '../domain/attempt-feedback';
import type { ProviderHealthBoard } from '../domain/provider-health';
import type { ProviderId } from '../domain/provider-event';
import { providerDisplayName } from '../domain/provider-names';
import { err, ok, type Result } from '../domain/result';
import { describeSkips, routeFor, type RouteRule, type SkippedProvider } from '../domain/routing';
import { sameRequest, type SessionRequest, type SessionView } from '../domain/session-request';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { OrderLock } from '../ports/order-lock';
import type { PaymentLog, PaymentLogEntry } from '../ports/payment-log';
import type { CreatedCheckout, PaymentProvider, ProviderCapabilities, ProviderFailure } from '../ports/payment-provider';
import type { NewPaymentSession, SessionStore } from '../ports/session-store';

export interface CreateSessionConfig {
  sessionTtlMinutes: number;
  /** Where providers reach the relay: webhook URLs are `${publicUrl}/webhooks/<provider>`. */
  publicUrl: string;
  livemode: boolean;
  /** Total time for trying every candidate (the shop's HTTP client gives up eventually too). Default 20 s. */
  budgetMs?: number;
  /** Longest a single provider call may take. Default 10 s. */
  attemptTimeoutMs?: number;
}

export interface CreateSessionDeps {
  sessions: SessionStore;
  log: PaymentLog;
  providers: ReadonlyMap<ProviderId, PaymentProvider>;
  rules: readonly RouteRule[];
  breakers: BreakerBoard;
  /** Recent outcomes per provider, method and country; absent = route by the rules and breakers only. */
  health?: ProviderHealthBoard;
  clock: Clock;
  ids: { sessionId(): string; statusToken(): string };
  config: CreateSessionConfig;
  /** Runs a block of synchronous store writes atomically (the SQLite unit of work). */
  transaction: <T>(fn: () => T) => T;
  /**
   * Runs inside the transaction that writes a new session: the relay applies events that arrived for it before
   * the insert (a provider can send its first webhook before this transaction commits).
   */
  onSessionWritten?: (session: PaymentSession, now: number) => void;
  logger?: Logger;
  /**
   * One request of an order at a time (`session:<order>`), in this relay and across every relay on a shared
   * PostgreSQL database, so a double click (with or without an Idempotency-Key, on one relay or two) cannot race
   * two provider calls for the same attempt.
   */
  orderLock: OrderLock;
}

/** A reason a provider was skipped or failed; `temporary` ones may clear up (timeouts, 5xx, open breakers). */
export interface AttemptReason extends SkippedProvider {
  /** `route`: left out by the rule or its capabilities (not configured, wrong method); `call`: tried or breaker-blocked. */
  stage: 'route' | 'call';
  temporary: boolean;
}

export type CreateSessionError =
  | { code: 'idempotency_conflict'; message: string }
  /** No provider can take this payment (422): the shop shows its other payment methods. */
  | { code: 'no_provider_available'; message: string; reasons: AttemptReason[] }
  /** Every provider that could take it is failing right now (503): trying again later may work. */
  | { code: 'providers_unavailable'; message: string; reasons: AttemptReason[] }
  /** A provider refused our request in a way another provider would not fix (bad request, bad key). */
  | { code: 'provider_refused'; message: string; reasons: AttemptReason[] }
  /** The order's request before this one still holds its turn past this one's wait (409): nothing was created. */
  | { code: 'earlier_request_in_flight'; message: string; retryAfterSeconds: number };

const DEFAULT_BUDGET_MS = 20_000;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
const MIN_USEFUL_CALL_MS = 250;
const OPEN_STATUSES = new Set(['created', 'pending']);
/** A request refused its turn waited out the whole budget of the one before it, which ends within moments. */
const RETRY_AFTER_TURN_SECONDS = 5;

/**
 * Creates a hosted checkout session for one order: routes it, tries the candidates in order within a time
 * budget, falls back on failures another provider may not have, records everything in the payment log and
 * stores the session. An Idempotency-Key repeat returns the stored session without calling any provider.
 *
 * One order's requests take turns (deps.orderLock). A request waits for its turn as long as the one before it may
 * take (its time budget, which is also how long the plugin waits for an answer, class-relay-client.php): a turn
 * that came later would answer nobody, so it is refused instead, and nothing is created for it.
 */
export async function createSession(
  deps: CreateSessionDeps,
  request: SessionRequest,
  idempotencyKey: string | null,
): Promise<Result<SessionView, CreateSessionError>> {
  const waitMs = deps.config.budgetMs ?? DEFAULT_BUDGET_MS;
  const turn = await deps.orderLock.run(`session:${request.orderId}`, waitMs, () => createSessionNow(deps, request, idempotencyKey));
  if (turn.acquired) return turn.value;
  return err({
    code: 'earlier_request_in_flight',
    message: `An earlier payment request for order ${request.orderId} is still being made (its providers are slow to answer), and Payrelay makes one at a time; nothing was created for this one. Try again in ${RETRY_AFTER_TURN_SECONDS} s.`,
    retryAfterSeconds: RETRY_AFTER_TURN_SECONDS,
  });
}

async function createSessionNow(
  deps: CreateSessionDeps,
  request: SessionRequest,
  idempotencyKey: string | null,
): Promise<Result<SessionView, CreateSessionError>> {
  const { sessions, clock, config } = deps;
  const tx = deps.transaction;

  if (idempotencyKey) {
    const existing = sessions.findByIdempotencyKey(idempotencyKey);
    if (existing) {
      if (!sameRequest(request, existing)) {
        return err({
          code: 'idempotency_conflict',
          message: `Idempotency-Key ${idempotencyKey} was already used for a different request (order ${existing.merchantOrderId}); use a new key for a new request`,
        });
      }
      return ok(toView(existing));
    }
  }

  const started = performance.now();
  const budgetMs = config.budgetMs ?? DEFAULT_BUDGET_MS;
  const attemptTimeoutMs = config.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const orderId = request.orderId;
  const attempt = nextAttempt(deps, orderId);
  const entry = (kind: PaymentLogEntry['kind'], message: string, provider: ProviderId | null, sessionId: string | null, data?: Record<string, unknown>): PaymentLogEntry => ({
    at: clock.now(),
    merchantOrderId: orderId,
    sessionId,
    provider,
    kind,
    message,
    data: { attempt, ...data },
  });

  const capabilities: Partial<Record<ProviderId, ProviderCapabilities>> = {};
  for (const [id, provider] of deps.providers) capabilities[id] = provider.capabilities;
  const healthKey = { method: request.method, country: request.customer.country };
  const route = routeFor(request, deps.rules, capabilities, deps.breakers.views(deps.providers.keys(), clock.now()), {
    orderId,
    health: deps.health?.assessAll(deps.providers.keys(), healthKey, clock.now()),
    probePercent: deps.health?.policy.probePercent,
  });
  const reasons: AttemptReason[] = route.skipped.map((skip) => {
    const breaker = skip.reason.startsWith('circuit');
    return { ...skip, stage: breaker ? 'call' : 'route', temporary: breaker };
  });
  const what = `${request.method.replace('_', ' ')} payment of ${formatMoney(request.amountMinor, request.currency)} from ${request.customer.country}`;

  if (!route.rule) {
    const message = `No routing rule matches a ${what}; the shop should offer its other payment methods`;
    deps.log.append(entry('error', message, null, null, { code: 'no_provider_available' }));
    return err({ code: 'no_provider_available', message, reasons });
  }
  if (route.rule.providers.length === 0) {
    const message = `Routing rule "${route.rule.name}" offers no provider for a ${what}; this kind of payment is not configured`;
    deps.log.append(entry('error', message, null, null, { code: 'no_provider_available', rule: route.rule.name }));
    return err({ code: 'no_provider_available', message, reasons });
  }
  // A provider that is not configured is a fact about this relay, the same for every order: GET /v1/methods and the
  // plugin's settings show it. Only the skips that say something about this payment go in its log.
  for (const skip of route.skipped.filter((s) => s.reason !== 'not configured')) {
    deps.log.append(entry('provider_attempt_failed', `${providerDisplayName(skip.provider)} skipped: ${skip.reason}`, skip.provider, null, { rule: route.rule.name, skipped: true }));
  }

  const sessionId = deps.ids.sessionId();
  for (const note of route.notes) {
    deps.log.append(entry('routing_decision', note.message, note.provider, sessionId, { rule: route.rule.name, decision: note.kind }));
  }
  const now = clock.now();
  const wantedExpiry = now + config.sessionTtlMinutes * 60_000;
  let stopFinal = false;

  for (const [index, providerId] of route.candidates.entries()) {
    const provider = deps.providers.get(providerId)!;
    const name = providerDisplayName(providerId);
    const remaining = budgetMs - (performance.now() - started);
    // A sliver of budget is not worth a call that would only time out (timers also fire a little early).
    if (remaining < Math.min(MIN_USEFUL_CALL_MS, attemptTimeoutMs) || stopFinal) {
      const reason = stopFinal ? 'not tried: an earlier provider refused the request itself' : 'not tried: the time budget for this request was used up';
      reasons.push({ provider: providerId, reason, stage: 'call', temporary: !stopFinal });
      deps.log.append(entry('provider_attempt_failed', `${name} ${reason}`, providerId, sessionId));
      continue;
    }
    if (!deps.breakers.tryAcquire(providerId, clock.now())) {
      const view = deps.breakers.view(providerId, clock.now());
      const reason = view.available ? 'circuit half-open, a probe call is already in flight' : view.reason;
      reasons.push({ provider: providerId, reason, stage: 'call', temporary: true });
      deps.log.append(entry('provider_attempt_failed', `${name} skipped: ${reason}`, providerId, sessionId, { skipped: true }));
      continue;
    }
    // A breaker that let this call through after its cool-down is half-open now: this is its probe.
    const breakerProbe = deps.breakers.state(providerId).phase === 'half_open';
    deps.log.append(entry(
      'provider_selected',
      `${name} chosen by rule "${route.rule.name}" (candidate ${index + 1} of ${route.candidates.length})`,
      providerId,
      sessionId,
      { rule: route.rule.name },
    ));

    const callStarted = performance.now();
    const result = await withTimeout(
      provider.createCheckout({
        relaySessionId: sessionId,
        merchantOrderId: orderId,
        amountMinor: request.amountMinor,
        currency: request.currency,
        customerEmail: request.customer.email,
        customerCountry: request.customer.country,
        method: request.method,
        returnUrl: request.returnUrl,
        cancelUrl: request.cancelUrl,
        locale: request.locale,
        expiresAt: wantedExpiry,
        idempotencyKey: providerIdempotencyKey(orderId, attempt, providerId),
        webhookUrl: `${config.publicUrl.replace(/\/+$/, '')}/webhooks/${providerId}`,
      }),
      Math.min(attemptTimeoutMs, remaining),
    );
    const durationMs = Math.round(performance.now() - callStarted);

    learnFromAttempt(deps, { provider: providerId, ...healthKey }, result.ok ? { ok: true } : { ok: false, code: result.error.code }, durationMs, breakerProbe, clock.now());

    if (result.ok) {
      const session = buildSession(deps, request, sessionId, providerId, result.value, wantedExpiry, attempt, idempotencyKey);
      tx(() => {
        sessions.insert(session);
        deps.onSessionWritten?.(session, clock.now());
        deps.log.append(entry('session_created', `Checkout session created at ${name} (${result.value.providerSessionId}), payable until ${new Date(session.expiresAt).toISOString()}`, providerId, sessionId, {
          providerSessionId: result.value.providerSessionId,
          durationMs,
        }));
        deps.log.append(entry('customer_redirected', `Customer sent to ${name} checkout`, providerId, sessionId));
      });
      deps.logger?.info('session created', { orderId, sessionId, provider: providerId, attempt, durationMs });
      await expireOlderSessions(deps, session, attemptTimeoutMs, entry);
      return ok(toView(session));
    }

    const failure = result.error;
    const temporary = countsAgainstHealth(failure.code);
    reasons.push({ provider: providerId, reason: `${failure.code}: ${failure.message}`, stage: 'call', temporary });
    const next = failure.kind === 'fallback' ? 'trying the next provider' : 'not falling back (another provider would not fix this)';
    deps.log.append(entry('provider_attempt_failed', `${name} failed (${failure.code}: ${failure.message}); ${next}`, providerId, sessionId, {
      code: failure.code,
      kind: failure.kind,
      httpStatus: failure.httpStatus,
      durationMs,
    }));
    deps.logger?.warn('provider attempt failed', { orderId, sessionId, provider: providerId, code: failure.code, kind: failure.kind, durationMs });
    if (failure.kind === 'final') stopFinal = true;
  }

  return err(failureFor(reasons, what, stopFinal, (e) => deps.log.append(entry('error', e, null, sessionId))));
}

function failureFor(reasons: AttemptReason[], what: string, refused: boolean, record: (message: string) => void): CreateSessionError {
  const why = reasons.length > 0 ? describeSkips(reasons) : 'no provider is listed';
  let error: CreateSessionError;
  if (refused) {
    error = { code: 'provider_refused', message: `The provider refused the ${what}: ${why}`, reasons };
  } else if (reasons.some((r) => r.stage === 'call') && reasons.filter((r) => r.stage === 'call').every((r) => r.temporary)) {
    // Every provider we could have used failed on timeouts, 5xx or an open breaker: this may clear up.
    error = { code: 'providers_unavailable', message: `Every provider that could take the ${what} is failing right now; try again shortly (${why})`, reasons };
  } else {
    error = { code: 'no_provider_available', message: `No provider can take the ${what} (${why}); the shop should offer its other payment methods`, reasons };
  }
  record(error.message);
  return error;
}

/**
 * Stable for one (order, attempt, provider): an SDK that retries the call (stripe-node does on network
 * errors) sends the same key, so the provider returns the first session instead of creating a second.
 */
export function providerIdempotencyKey(orderId: string, attempt: number, provider: ProviderId): string {
  return `payrelay-${orderId}-${attempt}-${provider}`;
}

/**
 * Attempts are numbered per order. A failed attempt leaves no session row, so the payment log is counted too:
 * the next attempt never reuses a provider idempotency key with different parameters (Stripe refuses that).
 */
function nextAttempt(deps: CreateSessionDeps, orderId: string): number {
  let highest = deps.sessions.countByOrder(orderId);
  for (const entry of deps.log.listByOrder(orderId)) {
    const attempt = entry.data?.attempt;
    if (typeof attempt === 'number' && attempt > highest) highest = attempt;
  }
  return highest + 1;
}

function buildSession(
  deps: CreateSessionDeps,
  request: SessionRequest,
  sessionId: string,
  provider: ProviderId,
  created: CreatedCheckout,
  wantedExpiry: number,
  attempt: number,
  idempotencyKey: string | null,
): NewPaymentSession {
  const now = deps.clock.now();
  return {
    id: sessionId,
    merchantOrderId: request.orderId,
    orderKey: request.orderKey,
    provider,
    providerSessionId: created.providerSessionId,
    providerPaymentId: created.providerPaymentId,
    customerEmail: request.customer.email,
    customerCountry: request.customer.country,
    method: request.method,
    amountMinor: request.amountMinor,
    currency: request.currency,
    status: 'created',
    refundedMinor: 0,
    livemode: deps.config.livemode,
    checkoutUrl: created.checkoutUrl,
    returnUrl: request.returnUrl,
    cancelUrl: request.cancelUrl,
    statusToken: deps.ids.statusToken(),
    createdAt: now,
    // The provider may shorten the window; the earlier of the two is when paying really stops.
    expiresAt: Math.min(wantedExpiry, created.expiresAt || wantedExpiry),
    updatedAt: now,
    idempotencyKey,
    attempt,
  };
}

/**
 * A new attempt makes the order's older open sessions obsolete: close them at their provider so the customer
 * cannot pay twice. A payment that still lands on one counts (decide() handles late and double payments).
 */
async function expireOlderSessions(
  deps: CreateSessionDeps,
  current: PaymentSession,
  timeoutMs: number,
  entry: (kind: PaymentLogEntry['kind'], message: string, provider: ProviderId | null, sessionId: string | null, data?: Record<string, unknown>) => PaymentLogEntry,
): Promise<void> {
  const older = deps.sessions.listByOrder(current.merchantOrderId).filter((s) => s.id !== current.id && OPEN_STATUSES.has(s.status));
  await Promise.all(older.map(async (old) => {
    const name = providerDisplayName(old.provider);
    const provider = deps.providers.get(old.provider);
    if (!provider || !provider.capabilities.canExpire || !old.providerSessionId) {
      deps.log.append(entry('session_expired', `Older session ${old.id} at ${name} cannot be closed at the provider; it stays payable until ${new Date(old.expiresAt).toISOString()} (a payment on it still counts)`, old.provider, old.id, { replacedBy: current.id }));
      return;
    }
    const result = await withTimeout(provider.expireCheckout({ providerSessionId: old.providerSessionId }), timeoutMs);
    if (result.ok) {
      deps.transaction(() => {
        // The webhook may have landed while the provider was being asked: a session that is no longer open
        // (paid in the old tab, say) keeps its status. Money is never turned back into "expired".
        const latest = deps.sessions.get(old.id);
        if (!latest || !OPEN_STATUSES.has(latest.status)) return;
        deps.sessions.update(old.id, { status: 'expired' }, deps.clock.now());
        deps.log.append(entry('session_expired', `Older session ${old.id} expired at ${name} because the customer started a new attempt (session ${current.id})`, old.provider, old.id, { replacedBy: current.id }));
      });
    } else {
      deps.log.append(entry('error', `Could not expire older session ${old.id} at ${name} (${result.error.code}: ${result.error.message}); the expiry sweep will retry`, old.provider, old.id, { replacedBy: current.id, code: result.error.code }));
    }
  }));
}

function toView(session: PaymentSession): SessionView {
  return {
    sessionId: session.id,
    provider: session.provider,
    checkoutUrl: session.checkoutUrl ?? '',
    expiresAt: session.expiresAt,
    status: session.status,
    statusToken: session.statusToken,
  };
}

/** A provider call that outlives its share of the budget counts as a timeout, and the next provider is tried. */
async function withTimeout<T>(call: Promise<Result<T, ProviderFailure>>, ms: number): Promise<Result<T, ProviderFailure>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Result<T, ProviderFailure>>((resolve) => {
    timer = setTimeout(() => resolve(err({ kind: 'fallback', code: 'timeout', message: `no answer within ${Math.round(ms)} ms` })), ms);
    timer.unref();
  });
  // A provider adapter that throws is a bug, but one provider's bug must not stop the fallback.
  const guarded = call.catch((error: unknown): Result<T, ProviderFailure> => err({ kind: 'fallback', code: 'network', message: `unexpected error: ${(error as Error)?.message ?? String(error)}` }));
  try {
    return await Promise.race([guarded, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
