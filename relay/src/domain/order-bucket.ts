/**
 * A number in [0, buckets) fixed by the text (FNV-1a, 32 bit): the same order id always lands in the same
 * bucket, on every relay and after a restart, so a retried order is routed like its first attempt and tests
 * can name exactly which orders fall where. `salt` keeps unrelated decisions (split, probe) independent.
 */
export function orderBucket(salt: string, orderId: string, buckets: number): number {
  let hash = 0x811c9dc5;
  const text = `${salt}:${orderId}`;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % buckets;
}
