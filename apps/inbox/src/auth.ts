/**
 * The optional read token (`INBOX_READ_TOKEN`): when set, the read API, the stream and the UI
 * answer only requests with `Authorization: Bearer <token>`, or `?token=<token>` (for a browser's
 * address bar and EventSource, which cannot set headers). Ingest never asks for it: SDKs
 * authenticate with their DSN key. Compared in constant time.
 */

import { createHash, timingSafeEqual } from 'node:crypto';

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
  allows(authorization: string | undefined, queryToken: string | null): boolean {
    const expected = this.expected;
    if (!expected) return true;
    const bearer = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    return [bearer, queryToken ?? undefined].some(
      (given) => given !== undefined && given !== '' && timingSafeEqual(digest(given), expected),
    );
  }
}
