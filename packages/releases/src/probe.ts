/**
 * Whether a release answers before visitors are sent to it: its browser entry
 * (`<origin>/_next/static/chunks/remoteEntry.js`) must answer 2xx within a second, the check
 * the release commands and the inbox's buttons make. A canary of a release whose server is down would put its share of
 * visitors on the hosts' fallback for nothing.
 */

import { entryUrl } from './index.ts';

/** How long a release has to answer. */
export const PROBE_TIMEOUT_MS = 1_000;

/** Checks a release's origin; resolves with why it does not answer, or undefined when it does. */
export type ReleaseProbe = (origin: string) => Promise<string | undefined>;

export const probeRelease: ReleaseProbe = async (origin) => {
  const url = entryUrl({ origin }, 'browser');
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'manual' });
    await response.body?.cancel();
    return response.ok ? undefined : `${url} answered ${response.status}`;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${PROBE_TIMEOUT_MS} ms` : (cause ?? String(error));
    return `${url}: ${reason}`;
  }
};
