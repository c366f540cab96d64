import autocannon, { type Options, type Result } from 'autocannon';

export interface LoadFigures {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** Drives `url` with autocannon and returns its throughput and latency figures. */
export async function runLoad(options: Options): Promise<LoadFigures> {
  const result: Result = await autocannon(options);
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
