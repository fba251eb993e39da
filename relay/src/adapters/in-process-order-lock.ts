import type { Locked, OrderLock } from '../ports/order-lock';

/**
 * The lock within one relay: a queue per key. The lock passes from holder to the next waiter directly, so a newcomer
 * never jumps the queue; a waiter whose wait runs out leaves it and never runs. No timers when nobody waits.
 */
export function createInProcessOrderLock(): OrderLock {
  /** A key is held while it is in the map; its array holds the waiters, first come first. */
  const held = new Map<string, Array<() => void>>();

  const acquire = (key: string, waitMs: number): Promise<boolean> => {
    const waiters = held.get(key);
    if (!waiters) {
      held.set(key, []);
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const handOver = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(handOver), 1);
        resolve(false);
      }, waitMs);
      waiters.push(handOver);
    });
  };

  const release = (key: string): void => {
    const waiters = held.get(key)!;
    const next = waiters.shift();
    if (next) next();
    else held.delete(key);
  };

  return {
    async run<T>(key: string, waitMs: number, work: () => Promise<T>): Promise<Locked<T>> {
      if (!(await acquire(key, waitMs))) return { acquired: false };
      try {
        return { acquired: true, value: await work() };
      } finally {
        release(key);
      }
    },
  };
}
