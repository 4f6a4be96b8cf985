/**
 * The remote chunks a server render used, for the document to preload: nextjs-mf's
 * `flushChunks()`, cached briefly and bounded in time.
 *
 * Why: `flushChunks()` fetches each used remote's `mf-manifest.json` over HTTP on every page,
 * with no cache and no timeout. The benchmark measured a federated render at about half the
 * throughput of the same page with shop's code compiled in, and a remote that accepts connections
 * but never answers would hold every page's document for Node's 300 s fetch default. The chunks
 * for a given set of used modules change only when the remote redeploys, so the answer is kept
 * for a few seconds; past a deadline the page goes out without the preload (the browser's
 * federation runtime loads the chunks itself, a little later).
 */
import { flushChunks, usedChunks } from '@module-federation/node/utils';

/** How long a flushed chunk list is reused: a redeployed remote is picked up within this. */
export const REMOTE_CHUNKS_TTL_MS = 5_000;
/** How long a render waits for the list before sending the page without it. */
export const REMOTE_CHUNKS_DEADLINE_MS = 1_000;

const cache = new Map<string, { at: number; chunks: Promise<string[]> }>();

function withDeadline(chunks: Promise<string[]>): Promise<string[]> {
  const deadline = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), REMOTE_CHUNKS_DEADLINE_MS).unref());
  return Promise.race([chunks.catch(() => []), deadline]);
}

export function remoteChunksOfThisRender(now = Date.now()): Promise<string[]> {
  const used = [...usedChunks].sort().join('|');
  const hit = cache.get(used);
  if (hit && now - hit.at < REMOTE_CHUNKS_TTL_MS) {
    usedChunks.clear(); // what flushChunks() itself does once it has read them
    return hit.chunks;
  }
  const chunks = withDeadline(flushChunks());
  cache.set(used, { at: now, chunks });
  return chunks;
}
