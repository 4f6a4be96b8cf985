/**
 * Load for the benchmarks, through autocannon: a number of keep-alive connections for a time (or
 * for a number of requests) against one URL or a list of requests. Latency percentiles are taken
 * from every response's own time, not autocannon's whole-millisecond histogram, so sub-millisecond
 * answers (the inbox's ingest) keep their precision and p95 is exact.
 */
import autocannon from 'autocannon';

export type LoadRequest = autocannon.Request;

export interface LoadOptions {
  url: string;
  /** Concurrent connections; default 10. */
  connections?: number;
  /** How long; default 5 s, unless `amount` is given. */
  seconds?: number;
  /** Stop after this many requests instead. */
  amount?: number;
  method?: autocannon.Request['method'];
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * Requests each connection sends in turn, e.g. one whose `setupRequest` gives every request a
   * fresh body. Paths are relative to `url`.
   */
  requests?: LoadRequest[];
  /** A request unanswered for this long counts as a timeout; default 10 s. */
  timeoutSeconds?: number;
}

export interface LoadResult {
  /** Responses received. */
  requests: number;
  requestsPerSecond: number;
  /** Milliseconds, over every response. */
  latency: { p50: number; p95: number; p99: number; max: number; mean: number };
  /** Connection errors (timeouts included). */
  errors: number;
  timeouts: number;
  /** Responses outside 2xx. */
  non2xx: number;
  seconds: number;
}

function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** The nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  return nearestRank([...values].sort((a, b) => a - b), p);
}

export function load(options: LoadOptions): Promise<LoadResult> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections ?? 10,
        ...(options.amount === undefined ? { duration: options.seconds ?? 5 } : { amount: options.amount }),
        // autocannon takes an undefined option as given, not as its default.
        ...(options.method && { method: options.method }),
        ...(options.headers && { headers: options.headers }),
        ...(options.body !== undefined && { body: options.body }),
        ...(options.requests && { requests: options.requests }),
        timeout: options.timeoutSeconds ?? 10,
      },
      (error, result) => {
        if (error) return reject(error);
        if (times.length === 0) return reject(new Error(`${options.url}: no response under load (${result.errors} errors)`));
        const sorted = times.sort((a, b) => a - b);
        resolve({
          requests: times.length,
          requestsPerSecond: times.length / result.duration,
          latency: {
            p50: nearestRank(sorted, 50),
            p95: nearestRank(sorted, 95),
            p99: nearestRank(sorted, 99),
            max: sorted[sorted.length - 1] as number,
            mean: times.reduce((sum, t) => sum + t, 0) / times.length,
          },
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          seconds: result.duration,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
}
