import { envSchema } from './config-schema';

/**
 * Prefixes of the variables Payrelay reads. A variable with one of them that the schema does not know is almost
 * always a typo (PAYRELAY_PROT) or a setting from another version, and would otherwise be ignored in silence.
 */
const OUR_PREFIXES = ['PAYRELAY_', 'WC_', 'STRIPE_', 'MOLLIE_', 'ADYEN_', 'PAYPAL_', 'COINBASE_', 'SANDBOX_'];

/** Read outside the schema: the file the schema's values may come from. */
const READ_ELSEWHERE = ['PAYRELAY_CONFIG_FILE'];

/** Every variable the relay knows: the schema's keys are the one list, so a new setting needs no second entry here. */
export function knownVariables(): string[] {
  const keys = Object.keys((envSchema.describe() as { keys?: Record<string, unknown> }).keys ?? {});
  return [...keys, ...READ_ELSEWHERE];
}

/**
 * One line per variable with one of our prefixes that nothing reads, naming the nearest known one when it is
 * close enough to be the intended name: `PAYRELAY_PROT is not a Payrelay setting (did you mean PAYRELAY_PORT?)`.
 */
export function unknownVariableWarnings(names: Iterable<string>, known: readonly string[] = knownVariables()): string[] {
  const knownSet = new Set(known);
  const warnings: string[] = [];
  for (const name of [...new Set(names)].sort()) {
    if (knownSet.has(name) || !OUR_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const nearest = nearestName(name, known);
    warnings.push(`${name} is not a Payrelay setting and is ignored${nearest ? ` (did you mean ${nearest}?)` : ''}`);
  }
  return warnings;
}

/** The known name with the smallest edit distance, if that distance is small next to the name's length. */
function nearestName(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the name: PAYRELAY_PROT → PAYRELAY_PORT (2), WC_CONSUMER_KY → WC_CONSUMER_KEY (1), but
  // PAYRELAY_FOO gets no guess rather than a random one.
  return best !== null && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

/** Damerau-Levenshtein (optimal string alignment): a swapped pair of letters, the commonest typo, counts as one. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][cols - 1];
}
