/** Injected time: tests move it, nothing in the core reads Date.now() itself. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
