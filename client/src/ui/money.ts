/** How many decimals a currency's minor unit has (2 for usd, 0 for jpy), as the browser's Intl knows it. */
export function currencyDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** An amount in minor units, written for people: 1250 usd is "$12.50". */
export function formatMoney(minorUnits: number, currency: string): string {
  const digits = currencyDigits(currency);
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(
    minorUnits / 10 ** digits,
  );
}

/** What a person typed ("12.5") in minor units (1250), or null when it is not an amount in that currency. */
export function parseMoney(text: string, currency: string): number | null {
  const digits = currencyDigits(currency);
  const match = text.trim().match(/^(\d{1,9})(?:[.,](\d+))?$/);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
}
