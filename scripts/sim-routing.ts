import { generatePayments, SIM_INCIDENTS, simulate, type SimResult } from './routing-simulation';

/**
 * `npm run sim:routing [-- --seed=11 --payments=20000]`: a simulated day through the real routing code, with
 * health-aware routing on and with the rules (and circuit breakers) alone, side by side. A simulation, not a
 * benchmark: the numbers depend only on the seed.
 */
function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const seed = option('seed', 11);
const count = option('payments', 20_000);
const payments = generatePayments(count, seed);
const rulesOnly = simulate(payments, false);
const learning = simulate(payments, true);

const percent = (n: number, of: number) => `${((100 * n) / of).toFixed(2)} %`;
const rows: Array<[string, (r: SimResult) => number]> = [
  ['first call to a failing provider', (r) => r.firstToFailing],
  ...SIM_INCIDENTS.map((i): [string, (r: SimResult) => number] => [`  of which: ${i.provider} ${i.fromHour}:00–${i.toHour}:00`, (r) => r.firstToFailingBy[i.what]]),
  ['calls to a failing provider (all tries)', (r) => r.callsToFailing],
  ['payments that needed a fallback', (r) => r.neededFallback],
  ['payments lost (every provider failed)', (r) => r.lost],
];

console.log(`Routing simulation: ${count} payments over one day, seed ${seed}`);
for (const incident of SIM_INCIDENTS) console.log(`  incident: ${incident.what}`);
console.log('');
console.log(`${''.padEnd(42)}${'rules only'.padStart(20)}${'learning'.padStart(20)}${'ratio'.padStart(8)}`);
for (const [label, value] of rows) {
  const a = value(rulesOnly);
  const b = value(learning);
  const cell = (n: number) => `${n} (${percent(n, count)})`.padStart(20);
  console.log(`${label.padEnd(42)}${cell(a)}${cell(b)}${(a === 0 ? '—' : (b / a).toFixed(2)).padStart(8)}`);
}
const perPayment = (r: SimResult) => `${r.calls} (${(r.calls / count).toFixed(3)} each)`.padStart(20);
console.log(`${'provider calls'.padEnd(42)}${perPayment(rulesOnly)}${perPayment(learning)}${(learning.calls / rulesOnly.calls).toFixed(2).padStart(8)}`);
const ratio = rulesOnly.firstToFailing === 0 ? 0 : learning.firstToFailing / rulesOnly.firstToFailing;
console.log('');
console.log(`learning sends ${ratio.toFixed(2)}× as many payments first to a failing provider as rules only (${(1 / ratio).toFixed(1)}× fewer)`);
