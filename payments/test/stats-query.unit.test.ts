import { RequestValidationError } from '@ticketing/service';
import { successRate } from '../src/reporting/attempt-stats';
import { bucketCount, MAX_BUCKETS, statsQuery, statsWindow } from '../src/routes/admin/stats-query';

const NOW = new Date('2026-03-10T15:42:00Z');
const at = (iso: string) => new Date(iso);

function fieldErrors(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestValidationError) return error.fieldErrors;
    throw error;
  }
  throw new Error('expected a RequestValidationError');
}

describe('stats window', () => {
  it('counts buckets from the UTC hour or midnight of from to the one to falls in, exclusive', () => {
    expect(bucketCount(at('2026-03-01T00:00:00Z'), at('2026-03-08T00:00:00Z'), 'day')).toBe(7);
    expect(bucketCount(at('2026-03-01T10:30:00Z'), at('2026-03-08T00:00:01Z'), 'day')).toBe(8);
    expect(bucketCount(at('2026-03-01T10:30:00Z'), at('2026-03-01T12:00:00Z'), 'hour')).toBe(2);
    // Time zones do not move the buckets: 01:30+02:00 is 23:30 UTC the day before.
    expect(bucketCount(at('2026-03-02T01:30:00+02:00'), at('2026-03-02T00:00:00Z'), 'day')).toBe(1);
    expect(bucketCount(at('2026-03-01T10:00:00Z'), at('2026-03-01T10:00:00Z'), 'hour')).toBe(0);
  });

  it('defaults to the 7 days up to now, by day', () => {
    expect(statsWindow(statsQuery.parse({}), NOW)).toEqual({
      from: at('2026-03-03T15:42:00Z'),
      to: NOW,
      bucket: 'day',
    });
    expect(statsWindow(statsQuery.parse({ to: '2026-01-08T00:00:00Z', bucket: 'hour' }), NOW)).toEqual({
      from: at('2026-01-01T00:00:00Z'),
      to: at('2026-01-08T00:00:00Z'),
      bucket: 'hour',
    });
  });

  it(`refuses more than ${MAX_BUCKETS} buckets, and a from after now when to is not given`, () => {
    const hours = statsQuery.parse({
      from: '2026-01-01T00:00:00Z',
      to: '2026-03-01T00:00:00Z',
      bucket: 'hour',
    });
    expect(fieldErrors(() => statsWindow(hours, NOW))).toEqual([
      { field: 'from', message: expect.stringMatching(/1416 hour buckets, more than 1000/) },
    ]);
    const days = statsQuery.parse({ from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' });
    expect(statsWindow(days, NOW).bucket).toBe('day');
    const future = statsQuery.parse({ from: '2026-04-01T00:00:00Z' });
    expect(fieldErrors(() => statsWindow(future, NOW))).toEqual([
      { field: 'from', message: expect.stringMatching(/after to/) },
    ]);
  });

  it('names the field of each bad parameter', () => {
    const result = statsQuery.safeParse({ from: '2026-03-01', to: 'yesterday', bucket: 'week' });
    expect(result.error?.issues.map((issue) => issue.path[0])).toEqual(['from', 'to', 'bucket']);
    const reversed = statsQuery.safeParse({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00+01:00' });
    expect(reversed.error?.issues).toEqual([
      expect.objectContaining({ path: ['from'], message: 'from must not be after to' }),
    ]);
    expect(statsQuery.safeParse({ from: '2026-03-01T00:00:00+02:00' }).success).toBe(true);
  });
});

describe('success rate', () => {
  it('is the share of finished attempts that succeeded, null when none finished', () => {
    expect(successRate(3, 1)).toBe(0.75);
    expect(successRate(0, 2)).toBe(0);
    expect(successRate(0, 0)).toBeNull();
  });
});
