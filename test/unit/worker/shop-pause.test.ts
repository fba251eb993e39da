import { createShopPause, PROBE_EVERY_MS, SHOP_DOWN_AFTER } from '../../../relay/src/worker/shop-pause';

/** When the worker may send shop commands, and when it only probes: failures in a row, Retry-After, the probe cadence. */
describe('shop pause', () => {
  const now = 1_800_000_000_000;
  const pause = () => createShopPause({ maxHoldMs: 60_000 });

  it(`open until ${SHOP_DOWN_AFTER} failures in a row; the failure that makes it down says so once`, () => {
    const shop = pause();
    expect(shop.open(now)).toBe(true);
    expect([shop.failed(now), shop.failed(now)]).toEqual([false, false]);
    expect(shop.open(now)).toBe(true);
    expect(shop.failed(now)).toBe(true);
    expect(shop.isDown()).toBe(true);
    expect(shop.open(now)).toBe(false);
    expect(shop.failed(now)).toBe(false);
  });

  it('an answer in between starts the count again: one order\'s trouble is not a shop that is down', () => {
    const shop = pause();
    shop.failed(now);
    shop.failed(now);
    expect(shop.answered()).toBe(false);
    shop.failed(now);
    shop.failed(now);
    expect(shop.open(now)).toBe(true);
  });

  it(`down: a probe every ${PROBE_EVERY_MS} ms, counted over ten seconds of a shop that stays down`, () => {
    const shop = pause();
    for (let i = 0; i < SHOP_DOWN_AFTER; i += 1) shop.failed(now);
    let probes = 0;
    for (let t = now; t <= now + 10_000; t += 10) {
      if (!shop.probeDue(t)) continue;
      probes += 1;
      shop.failed(t);
    }
    expect(probes).toBe(10_000 / PROBE_EVERY_MS);
    expect(shop.resumesAt()).toBeLessThanOrEqual(now + 10_000 + PROBE_EVERY_MS);
  });

  it('a probe that is answered ends the pause at once, and says it was down', () => {
    const shop = pause();
    for (let i = 0; i < SHOP_DOWN_AFTER; i += 1) shop.failed(now);
    expect(shop.probeDue(now + PROBE_EVERY_MS)).toBe(true);
    expect(shop.answered()).toBe(true);
    expect(shop.open(now + PROBE_EVERY_MS)).toBe(true);
    expect(shop.resumesAt()).toBe(0);
  });

  it('a Retry-After holds every shop call, below the count too, and the probes of a shop that is down', () => {
    const shop = pause();
    shop.failed(now, 30_000);
    expect(shop.open(now + 29_999)).toBe(false);
    expect(shop.open(now + 30_000)).toBe(true);
    shop.failed(now, 30_000);
    shop.failed(now + 1000, 45_000);
    expect(shop.probeDue(now + 1000 + PROBE_EVERY_MS)).toBe(false);
    expect(shop.resumesAt()).toBe(now + 46_000);
    expect(shop.probeDue(now + 46_000)).toBe(true);
  });

  it('a Retry-After longer than the retry policy allows is capped by it', () => {
    const shop = createShopPause({ maxHoldMs: 5000 });
    shop.failed(now, 3_600_000);
    expect(shop.open(now + 5000)).toBe(true);
  });
});
