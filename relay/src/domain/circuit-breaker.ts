import type { ProviderId } from './provider-event';

/**
 * One provider's health, as the router sees it. `closed` lets calls through; `open` skips the provider until
 * the cool-down has passed; `half_open` lets exactly one probe through, whose outcome closes or re-opens it.
 */
export type BreakerState =
  | { phase: 'closed'; consecutiveFailures: number; /** Most recent outcomes, newest last; true = failure. */ window: readonly boolean[] }
  | { phase: 'open'; openedAt: number; why: string }
  | { phase: 'half_open'; probeStartedAt: number };

export interface BreakerPolicy {
  /** Open after this many failures in a row. */
  consecutiveFailures: number;
  /** Or open when at least `minimumCalls` of the last `windowSize` calls were made and this share failed. */
  failureRate: number;
  windowSize: number;
  minimumCalls: number;
  /** How long an open breaker skips the provider before letting a probe through. */
  coolDownMs: number;
  /** A probe that never reports back (crash, lost promise) frees the slot after this long. */
  probeTimeoutMs: number;
}

export const DEFAULT_BREAKER_POLICY: Readonly<BreakerPolicy> = Object.freeze({
  consecutiveFailures: 5,
  failureRate: 0.5,
  windowSize: 20,
  minimumCalls: 10,
  coolDownMs: 30_000,
  probeTimeoutMs: 60_000,
});

export const CLOSED: BreakerState = Object.freeze({ phase: 'closed', consecutiveFailures: 0, window: Object.freeze([]) as readonly boolean[] });

/** What the router needs to know at `now`, without claiming the probe slot. */
export type BreakerView = { available: true; probe: boolean } | { available: false; reason: string };

export function viewBreaker(state: BreakerState, now: number, policy: BreakerPolicy): BreakerView {
  switch (state.phase) {
    case 'closed':
      return { available: true, probe: false };
    case 'open': {
      const readyAt = state.openedAt + policy.coolDownMs;
      if (now >= readyAt) return { available: true, probe: true };
      return { available: false, reason: `circuit open (${state.why}); next probe in ${Math.ceil((readyAt - now) / 1000)} s` };
    }
    case 'half_open':
      if (now - state.probeStartedAt >= policy.probeTimeoutMs) return { available: true, probe: true };
      return { available: false, reason: 'circuit half-open, a probe call is already in flight' };
  }
}

/** Claim a call. Returns the next state, or null when the breaker does not let this call through. */
export function acquire(state: BreakerState, now: number, policy: BreakerPolicy): BreakerState | null {
  const view = viewBreaker(state, now, policy);
  if (!view.available) return null;
  return view.probe ? { phase: 'half_open', probeStartedAt: now } : state;
}

export function recordSuccess(state: BreakerState, policy: BreakerPolicy): BreakerState {
  if (state.phase !== 'closed') return CLOSED;
  return { phase: 'closed', consecutiveFailures: 0, window: push(state.window, false, policy.windowSize) };
}

export function recordFailure(state: BreakerState, now: number, policy: BreakerPolicy): BreakerState {
  if (state.phase === 'half_open') return { phase: 'open', openedAt: now, why: 'the probe call failed' };
  // A late failure from a call started before the breaker opened changes nothing.
  if (state.phase === 'open') return state;
  const consecutive = state.consecutiveFailures + 1;
  const window = push(state.window, true, policy.windowSize);
  if (consecutive >= policy.consecutiveFailures) {
    return { phase: 'open', openedAt: now, why: `${consecutive} failures in a row` };
  }
  const failures = window.filter(Boolean).length;
  if (window.length >= policy.minimumCalls && failures / window.length >= policy.failureRate) {
    return { phase: 'open', openedAt: now, why: `${failures} of the last ${window.length} calls failed` };
  }
  return { phase: 'closed', consecutiveFailures: consecutive, window };
}

/**
 * A call that ended without saying anything about the provider's health (it answered "I cannot take this
 * payment"): a half-open probe is answered, so the breaker closes; otherwise nothing changes.
 */
export function recordNeutral(state: BreakerState): BreakerState {
  return state.phase === 'half_open' ? CLOSED : state;
}

function push(window: readonly boolean[], failed: boolean, size: number): readonly boolean[] {
  return [...window, failed].slice(-size);
}

/**
 * The breakers of every provider. Holds state but does no I/O and reads no clock: every method takes `now`.
 * One board per relay process (breaker state is deliberately not shared between processes).
 */
export class BreakerBoard {
  private readonly states = new Map<ProviderId, BreakerState>();

  constructor(readonly policy: BreakerPolicy = DEFAULT_BREAKER_POLICY) {}

  state(provider: ProviderId): BreakerState {
    return this.states.get(provider) ?? CLOSED;
  }

  view(provider: ProviderId, now: number): BreakerView {
    return viewBreaker(this.state(provider), now, this.policy);
  }

  /** All known views, for routing. */
  views(providers: Iterable<ProviderId>, now: number): Partial<Record<ProviderId, BreakerView>> {
    const out: Partial<Record<ProviderId, BreakerView>> = {};
    for (const provider of providers) out[provider] = this.view(provider, now);
    return out;
  }

  /** True when this call may go ahead (and, after a cool-down, claims the single probe slot). */
  tryAcquire(provider: ProviderId, now: number): boolean {
    const next = acquire(this.state(provider), now, this.policy);
    if (!next) return false;
    this.states.set(provider, next);
    return true;
  }

  success(provider: ProviderId): void {
    this.states.set(provider, recordSuccess(this.state(provider), this.policy));
  }

  failure(provider: ProviderId, now: number): void {
    this.states.set(provider, recordFailure(this.state(provider), now, this.policy));
  }

  neutral(provider: ProviderId): void {
    this.states.set(provider, recordNeutral(this.state(provider)));
  }
}

export function createBreakerBoard(policy: BreakerPolicy = DEFAULT_BREAKER_POLICY): BreakerBoard {
  return new BreakerBoard(policy);
}
