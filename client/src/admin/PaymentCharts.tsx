import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { PaymentStats } from './admin-types';

const DECLINE_COLOURS = ['#b3261e', '#7d5260', '#8c4a00', '#4a4458', '#005f73', '#6d4c41'];

function bucketLabel(start: string, bucket: 'hour' | 'day'): string {
  const date = new Date(start);
  return bucket === 'day'
    ? date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
    : date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Success rate and declines by code over time, from the admin API's aggregates. */
export function PaymentCharts({ stats, bucket }: { stats: PaymentStats; bucket: 'hour' | 'day' }) {
  const codes = stats.topDeclineCodes.map((decline) => decline.code);
  const rows = stats.buckets.map((row) => ({
    label: bucketLabel(row.start, bucket),
    successRate: row.successRate === null ? null : Math.round(row.successRate * 1000) / 10,
    ...Object.fromEntries(codes.map((code) => [code, row.declines[code] ?? 0])),
  }));
  const rate = stats.totals.successRate;
  return (
    <div className="charts">
      <figure>
        <figcaption>
          Success rate:{' '}
          <strong>{rate === null ? 'no finished attempts' : `${Math.round(rate * 1000) / 10}%`}</strong> of{' '}
          {stats.totals.succeeded + stats.totals.failed} finished attempts
        </figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={rows} accessibilityLayer>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis domain={[0, 100]} unit="%" />
            <Tooltip />
            <Line type="monotone" dataKey="successRate" name="Success rate" stroke="#1b5e20" connectNulls />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure>
        <figcaption>
          Declines by code:{' '}
          {stats.topDeclineCodes.length === 0
            ? 'none'
            : stats.topDeclineCodes.map((decline) => `${decline.code} ${decline.count}`).join(', ')}
        </figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={rows} accessibilityLayer>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            {codes.map((code, index) => (
              <Bar
                key={code}
                dataKey={code}
                stackId="declines"
                fill={DECLINE_COLOURS[index % DECLINE_COLOURS.length]}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
