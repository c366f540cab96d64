import { currencyDigits, formatMoney, parseMoney } from '../src/ui/money';

describe('money typed by a person', () => {
  it('turns an amount into minor units in the currency’s own digits', () => {
    expect(parseMoney('12.5', 'usd')).toBe(1250);
    expect(parseMoney('12,50', 'eur')).toBe(1250);
    expect(parseMoney('25', 'usd')).toBe(2500);
    expect(parseMoney(' 0.99 ', 'usd')).toBe(99);
    expect(parseMoney('500', 'jpy')).toBe(500);
  });

  it('refuses what is not an amount in that currency', () => {
    expect(parseMoney('', 'usd')).toBeNull();
    expect(parseMoney('12.345', 'usd')).toBeNull();
    expect(parseMoney('5.5', 'jpy')).toBeNull();
    expect(parseMoney('-3', 'usd')).toBeNull();
    expect(parseMoney('1e3', 'usd')).toBeNull();
    expect(parseMoney('12.', 'usd')).toBeNull();
  });

  it('knows zero-decimal currencies and writes amounts for people', () => {
    expect(currencyDigits('usd')).toBe(2);
    expect(currencyDigits('jpy')).toBe(0);
    expect(formatMoney(1250, 'usd')).toContain('12.50');
    expect(formatMoney(500, 'jpy')).toContain('500');
  });
});
