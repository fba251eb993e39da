import { createInProcessOrderLock } from '../../relay/src/adapters/in-process-order-lock';
import { createSession, type CreateSessionDeps } from '../../relay/src/app/create-session';
import { parseRouteRules } from '../../relay/src/app/route-rules';
import { BreakerBoard, DEFAULT_BREAKER_POLICY, type BreakerPolicy } from '../../relay/src/domain/circuit-breaker';
import type { ProviderId } from '../../relay/src/domain/provider-event';
import type { RouteRule } from '../../relay/src/domain/routing';
import type { SessionRequest } from '../../relay/src/domain/session-request';
import type { OrderLock } from '../../relay/src/ports/order-lock';
import type { FakeProvider } from './fake-provider';
import { InMemoryPaymentLog, InMemorySessionStore, ManualClock, sequentialIds } from './in-memory-stores';

export interface SessionHarness {
  deps: CreateSessionDeps;
  sessions: InMemorySessionStore;
  log: InMemoryPaymentLog;
  clock: ManualClock;
  breakers: BreakerBoard;
  create(request?: Partial<SessionRequest>, key?: string | null): ReturnType<typeof createSession>;
}

export function sessionRequest(over: Partial<SessionRequest> = {}): SessionRequest {
  return {
    orderId: '1001',
    orderKey: 'wc_order_abc123',
    amountMinor: 2500,
    currency: 'EUR',
    customer: { email: 'ada@example.com', country: 'NL' },
    method: 'card',
    returnUrl: 'https://shop.example/checkout/order-received/1001/',
    cancelUrl: 'https://shop.example/cart/',
    locale: null,
    ...over,
  };
}

/**
 * Fixed rules for the create-session tests, so they test routing mechanics (fallback, breakers, reasons), not
 * whatever the shipped defaults are this month; the defaults have their own table in routing.test.ts.
 */
const parsedRules = parseRouteRules([
  { name: 'cards and wallets', match: { methods: ['card', 'wallet'] }, providers: ['stripe', 'sandbox'] },
  { name: 'bank transfer in the euro area', match: { methods: ['bank_transfer'], currencies: ['EUR'], countries: ['NL', 'BE', 'DE', 'AT', 'FR'] }, providers: ['mollie', 'stripe'] },
  { name: 'crypto (not offered)', match: { methods: ['crypto'] }, providers: [] },
  { name: 'any method', match: { methods: ['any'] }, providers: ['stripe', 'mollie', 'sandbox'] },
]);
if (!parsedRules.ok) throw new Error(parsedRules.error.join('; '));
export const SESSION_TEST_RULES: readonly RouteRule[] = parsedRules.value;

/** Wires createSession to in-memory ports and the given fake providers. */
export function sessionHarness(
  providers: FakeProvider[],
  /** `orderLock`: whose turns the requests take (default: this harness's own, as in one relay). */
  options: { rules?: readonly RouteRule[]; policy?: BreakerPolicy; budgetMs?: number; attemptTimeoutMs?: number; orderLock?: OrderLock } = {},
): SessionHarness {
  const sessions = new InMemorySessionStore();
  const log = new InMemoryPaymentLog();
  const clock = new ManualClock();
  const breakers = new BreakerBoard(options.policy ?? DEFAULT_BREAKER_POLICY);
  const deps: CreateSessionDeps = {
    sessions,
    log,
    providers: new Map<ProviderId, FakeProvider>(providers.map((p) => [p.id, p])),
    rules: options.rules ?? SESSION_TEST_RULES,
    breakers,
    clock,
    ids: sequentialIds(),
    // In-memory stores: nothing to roll back, so the work simply runs.
    transaction: (fn) => fn(),
    config: { sessionTtlMinutes: 60, publicUrl: 'https://relay.example', livemode: false, budgetMs: options.budgetMs, attemptTimeoutMs: options.attemptTimeoutMs },
    orderLock: options.orderLock ?? createInProcessOrderLock(),
  };
  return {
    deps,
    sessions,
    log,
    clock,
    breakers,
    create: (request = {}, key = null) => createSession(deps, sessionRequest(request), key),
  };
}
