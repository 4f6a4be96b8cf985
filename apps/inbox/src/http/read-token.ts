/**
 * The optional read token (`INBOX_READ_TOKEN`): when set, the read API, the stream, the UI and the
 * deploy console answer only requests with `Authorization: Bearer <token>`, or `?token=<token>`
 * where a browser cannot set a header (its address bar, EventSource), or the console's form
 * field. Ingest never asks for it: SDKs authenticate with their DSN key. Compared in constant time.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { refuse, send } from './answer.ts';
import { type InboxEnv, header } from './request.ts';

function digest(text: string): Buffer {
  // Hashing first gives equal lengths, which timingSafeEqual needs, without leaking the length.
  return createHash('sha256').update(text).digest();
}

export class ReadAuth {
  private readonly expected: Buffer | undefined;

  constructor(token: string | undefined) {
    this.expected = token === undefined || token === '' ? undefined : digest(token);
  }

  get required(): boolean {
    return this.expected !== undefined;
  }

  /** Whether the request may read: no token configured, or the right one given. */
  allows(authorization: string | undefined, queryToken: string | null | undefined): boolean {
    const expected = this.expected;
    if (!expected) return true;
    const bearer = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    return [bearer, queryToken ?? undefined].some(
      (given) => given !== undefined && given !== '' && timingSafeEqual(digest(given), expected),
    );
  }
}

/** Sent with every 401, as RFC 6750 asks. */
export const CHALLENGE: Readonly<Record<string, string>> = { 'WWW-Authenticate': 'Bearer realm="inbox"' };

export interface ReadTokenOptions {
  /**
   * Whether `?token=` is taken: only where a browser cannot send a header (pages, EventSource);
   * API URLs with tokens end up in logs.
   */
  readonly query: boolean;
  /** Answers a refusal as a page (the UI's), given the challenge headers; JSON `{ detail }` when absent. */
  readonly page?: (c: Context<InboxEnv>, headers: Readonly<Record<string, string>>) => Response;
}

/** Lets a request through when the inbox has no token or the request carries it; else 401. */
export function readToken(auth: ReadAuth, options: ReadTokenOptions) {
  return createMiddleware<InboxEnv>(async (c, next) => {
    if (!auth.required || auth.allows(header(c, 'authorization'), options.query ? c.req.query('token') : undefined)) {
      return next();
    }
    if (options.page) return options.page(c, CHALLENGE);
    return send(c, refuse(401, 'This inbox requires its read token: Authorization: Bearer <token>.', CHALLENGE));
  });
}
