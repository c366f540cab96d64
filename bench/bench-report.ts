/** Helpers the benchmarks share: percentiles and a plain report of figures and ratios. */
export function percentile(sortedValues: number[], fraction: number): number {
  if (sortedValues.length === 0) return Number.NaN;
  const index = Math.min(sortedValues.length - 1, Math.ceil(fraction * sortedValues.length) - 1);
  return sortedValues[Math.max(0, index)] as number;
}

export function rate(count: number, milliseconds: number): number {
  return (count / milliseconds) * 1000;
}

export function printFigures(title: string, rows: Array<[string, string | number]>): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\n${title}`);
  for (const [label, value] of rows) {
    const shown =
      typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : value;
    console.log(`  ${label.padEnd(width)}  ${shown}`);
  }
}

export function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}
