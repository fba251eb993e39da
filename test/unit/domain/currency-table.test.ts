import fs from 'node:fs';
import path from 'node:path';
import { currencyTableFromPackage, CURRENCY_FILES } from '../../../scripts/make-currencies';
import { pluginFiles } from '../../../scripts/plugin-zip';
import { decimalToMinor, isIsoCurrency, minorToDecimal, minorUnits } from '../../../relay/src/domain/money';
import { fromStripeAmount, toStripeAmount } from '../../../relay/src/providers/stripe/stripe-amount';

const ROOT = path.resolve(__dirname, '..', '..', '..');
interface AmountVector { currency: string; decimal: string; minor: number; mollie: string; stripe: number | null }
const vectors: { amounts: AmountVector[]; not_iso_4217: string[] } = JSON.parse(fs.readFileSync(path.join(ROOT, 'shared', 'currency-vectors.json'), 'utf8'));

describe('one currency table (shared/currencies.json), read by the relay and the plugin', () => {
  it('is what ISO 4217 list one says (regenerate with npm run currencies)', () => {
    expect(fs.readFileSync(path.join(ROOT, 'shared', 'currencies.json'), 'utf8')).toBe(currencyTableFromPackage());
  });

  it("the plugin's copy (shipped in its zip) is the shared file byte for byte", () => {
    const [shared, plugin] = CURRENCY_FILES.map((file) => fs.readFileSync(file, 'utf8'));
    expect(plugin).toBe(shared);
    // The plugin reads it at run time, so the zip a shop installs must carry it.
    expect(pluginFiles()).toContain('data/currencies.json');
  });

  it('MGA has two decimals, as ISO says (the relay said none: a 100× charge)', () => {
    expect(minorUnits('MGA')).toBe(2);
    expect(decimalToMinor('100.00', 'MGA')).toBe(10000);
  });

  it.each(vectors.amounts.map((v) => [`${v.decimal} ${v.currency}`, v] as const))('%s: minor units, Mollie value and Stripe amount', (_name, v) => {
    expect(decimalToMinor(v.decimal, v.currency)).toBe(v.minor);
    expect(minorToDecimal(v.minor, v.currency)).toBe(v.mollie);
    const stripe = toStripeAmount(v.minor, v.currency);
    expect(stripe.ok ? stripe.value : null).toBe(v.stripe);
    if (v.stripe !== null) expect(fromStripeAmount(v.stripe, v.currency.toLowerCase())).toBe(v.minor);
  });

  it.each(vectors.not_iso_4217)('%s is not an ISO 4217 currency: refused, never converted', (code) => {
    expect(isIsoCurrency(code)).toBe(false);
    expect(decimalToMinor('10.00', code)).toBeNull();
    expect(toStripeAmount(1000, code).ok).toBe(false);
  });

  it('a KWD payment is charged in fils, with the trailing zero Stripe wants', () => {
    expect(toStripeAmount(1500, 'KWD')).toEqual({ ok: true, value: 1500 });
    expect(toStripeAmount(1234, 'KWD')).toEqual({ ok: false, error: expect.stringContaining('last digit is 0') });
  });

  it('ISK goes to Stripe two-decimal (5 ISK is 500) and comes back as whole krónur', () => {
    expect(toStripeAmount(5, 'ISK')).toEqual({ ok: true, value: 500 });
    expect(fromStripeAmount(500, 'isk')).toBe(5);
    // A fractional króna from Stripe is not a whole ISO amount: not trusted as one.
    expect(fromStripeAmount(550, 'isk')).toBeUndefined();
  });
});
