/**
 * A per-project rate limit on stored items (`INBOX_RATE_LIMIT=<items>/<seconds>`), answered as
 * Sentry's ingest answers one: 429 with `Retry-After: <seconds>` and
 * `X-Sentry-Rate-Limits: <seconds>:<categories>:<scope>`. Events, sessions, spans and
 * transactions have a window each, as Sentry's quotas are per data category: `<seconds>:error;default:project` when events do not
 * fit (SDKs stop sending events to this DSN for that long and keep sending sessions),
 * `<seconds>:session:project` when session items (`session`, `sessions`) do not, `<seconds>:span:project`
 * when spans (of `span` items) do not, `<seconds>:transaction:project` when `transaction` items do
 * not.
 *
 * Fixed windows: each project gets `events` events per `windowSeconds`, counted from the first
 * event of the window. A request whose events do not all fit is refused whole (nothing stored),
 * and does not use up the window. Simple and predictable; bursts at a window's edge may reach
 * twice the limit, which is fine for protecting a local tool.
 */

import type { RateLimit } from './config.ts';

export const RATE_LIMITED_CATEGORIES = 'error;default';
export const SESSION_CATEGORIES = 'session';
export const SPAN_CATEGORIES = 'span';
export const TRANSACTION_CATEGORIES = 'transaction';

/** What a request asks for besides its events. */
export interface OtherItems {
  /** Session items (`session`, `sessions`). */
  readonly sessions?: number;
  /** Spans of `span` items. */
  readonly spans?: number;
  /** `transaction` items. */
  readonly transactions?: number;
}

export interface RateLimitRefusal {
  readonly retryAfterSeconds: number;
  readonly headers: Readonly<Record<string, string>>;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes `events` and the other items from the project's windows, all or nothing, or says how
   * long to wait and for which categories when they do not fit.
   */
  take(projectId: number, events: number, others: OtherItems = {}): RateLimitRefusal | undefined {
    const now = this.now();
    const windowMs = this.limit.windowSeconds * 1000;
    const wanted = [
      { key: `${projectId}:error`, count: events, categories: RATE_LIMITED_CATEGORIES },
      { key: `${projectId}:session`, count: others.sessions ?? 0, categories: SESSION_CATEGORIES },
      { key: `${projectId}:span`, count: others.spans ?? 0, categories: SPAN_CATEGORIES },
      { key: `${projectId}:transaction`, count: others.transactions ?? 0, categories: TRANSACTION_CATEGORIES },
    ].filter(({ count }) => count > 0);
    const windows = wanted.map(({ key }) => {
      let window = this.windows.get(key);
      if (!window || now - window.start >= windowMs) {
        window = { start: now, used: 0 };
        this.windows.set(key, window);
      }
      return window;
    });
    const full = wanted.filter(({ count }, i) => (windows[i]?.used ?? 0) + count > this.limit.events);
    if (full.length === 0) {
      wanted.forEach(({ count }, i) => {
        const window = windows[i];
        if (window) window.used += count;
      });
      return undefined;
    }
    const ends = full.map(({ key }) => (this.windows.get(key)?.start ?? now) + windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil((Math.max(...ends) - now) / 1000));
    return {
      retryAfterSeconds,
      headers: {
        'Retry-After': String(retryAfterSeconds),
        'X-Sentry-Rate-Limits': full.map(({ categories }) => `${retryAfterSeconds}:${categories}:project`).join(', '),
      },
    };
  }
}
