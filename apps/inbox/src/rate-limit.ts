/**
 * A per-project rate limit on stored events (`INBOX_RATE_LIMIT=<events>/<seconds>`), answered as
 * Sentry's ingest answers one: 429 with `Retry-After: <seconds>` and
 * `X-Sentry-Rate-Limits: <seconds>:<categories>:<scope>`, here `<seconds>:error;default:project`
 * (the categories of the items the inbox stores: events with and without an exception; SDKs stop
 * sending those categories to this DSN for that long, and keep sending sessions and the like).
 *
 * Fixed windows: each project gets `events` events per `windowSeconds`, counted from the first
 * event of the window. A request whose events do not all fit is refused whole (nothing stored),
 * and does not use up the window. Simple and predictable; bursts at a window's edge may reach
 * twice the limit, which is fine for protecting a local tool.
 */

import type { RateLimit } from './config.ts';

export const RATE_LIMITED_CATEGORIES = 'error;default';

export interface RateLimitRefusal {
  readonly retryAfterSeconds: number;
  readonly headers: Readonly<Record<string, string>>;
}

export class RateLimiter {
  private readonly windows = new Map<number, { start: number; used: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `events` from the project's window, or says how long to wait when they do not fit. */
  take(projectId: number, events: number): RateLimitRefusal | undefined {
    if (events === 0) return undefined;
    const now = this.now();
    const windowMs = this.limit.windowSeconds * 1000;
    let window = this.windows.get(projectId);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(projectId, window);
    }
    if (window.used + events <= this.limit.events) {
      window.used += events;
      return undefined;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    return {
      retryAfterSeconds,
      headers: {
        'Retry-After': String(retryAfterSeconds),
        'X-Sentry-Rate-Limits': `${retryAfterSeconds}:${RATE_LIMITED_CATEGORIES}:project`,
      },
    };
  }
}
