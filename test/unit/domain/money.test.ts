import { decimalToMinor, formatMoney, minorToDecimal } from '../../../relay/src/domain/money';

describe('money in minor units', () => {
  it.each([
    ['12.34', 'EUR', 1234],
    ['12.3', 'EUR', 1230],
    ['12', 'EUR', 1200],
    ['12.00', 'JPY', 12],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['0.00', 'USD', 0],
    ['-5.50', 'EUR', -550],
  ])('%s %s → %d', (decimal, currency, minor) => expect(decimalToMinor(decimal, currency)).toBe(minor));

  it.each([['12.345', 'EUR'], ['abc', 'EUR'], ['', 'EUR'], ['1e3', 'EUR'], ['12.5', 'JPY']])('refuses %s %s', (decimal, currency) => {
    expect(decimalToMinor(decimal, currency)).toBeNull();
  });

  it('formats for people', () => {
    expect(minorToDecimal(5, 'EUR')).toBe('0.05');
    expect(minorToDecimal(1999, 'JPY')).toBe('1999');
    expect(formatMoney(1234, 'eur')).toBe('12.34 EUR');
  });
});
