/**
 * The browser chunks of the remote modules a server render used, for the document to load at
 * once, as CORS scripts, instead of the browser discovering them after hydration starts.
 *
 * The page's remote state says which release and which of its modules the render used; the
 * release's `mf-manifest.json` says which chunks each module needs. Why not nextjs-mf's
 * `flushChunks()`: it fetched the manifest over HTTP on every render, uncached and without a
 * timeout (the benchmark measured a federated render at half the control's throughput, and a hung
 * remote would hold every document for Node's 300 s fetch default), it only sees modules loaded
 * through static imports, and it collects them in one process-wide set that concurrent requests
 * share. A release's manifest changes only when the release is rebuilt in place, so it is kept for
 * a few seconds; a render waits for it at most a short deadline, else the page goes out without the
 * preload (the browser's federation runtime then loads the chunks itself, a little later).
 */
import { FROM_RELEASE_ORIGIN } from '@repo/host/remote-source';
import { entryUrl, type RemoteLocation } from '@repo/releases';
import { withDeadline } from './remote/loader';
import type { RemoteState } from './remote/RemoteSlot';

/** How long a release's manifest is reused: a release rebuilt in place is picked up within this. */
export const MANIFEST_TTL_MS = 5_000;
/** How long a render waits for the manifest before sending the page without the preload. */
export const REMOTE_CHUNKS_DEADLINE_MS = 500;
/** How long fetching a manifest may take at all. */
const MANIFEST_FETCH_TIMEOUT_MS = 2_000;

interface ManifestExpose {
  path?: string;
  name: string;
  assets: { js: { sync: string[] }; css: { sync: string[] } };
}

interface Manifest {
  metaData?: { publicPath?: string };
  exposes: ManifestExpose[];
}

const manifests = new Map<string, { at: number; manifest: Promise<Manifest | null> }>();

function manifestUrl(location: RemoteLocation): string {
  return new URL('mf-manifest.json', entryUrl(location, 'browser')).href;
}

function manifestOf(location: RemoteLocation, now: number): Promise<Manifest | null> {
  const url = manifestUrl(location);
  const hit = manifests.get(url);
  if (hit && now - hit.at < MANIFEST_TTL_MS) return hit.manifest;
  // Only fresh manifests are kept: those of the releases used in the last few seconds, not one
  // for every release the server has rendered since it started.
  for (const [kept, entry] of manifests) if (now - entry.at >= MANIFEST_TTL_MS) manifests.delete(kept);
  const manifest = fetch(url, { signal: AbortSignal.timeout(MANIFEST_FETCH_TIMEOUT_MS) })
    .then((response) => (response.ok ? (response.json() as Promise<Manifest>) : null))
    .catch(() => null);
  manifests.set(url, { at: now, manifest });
  return manifest;
}

/** Asset paths in the manifest are relative to the release's `/_next/`, unless it names a public path. */
function assetBase(location: RemoteLocation, manifest: Manifest): string {
  const publicPath = manifest.metaData?.publicPath;
  return publicPath && publicPath !== 'auto' ? new URL(publicPath, location.origin).href : `${location.origin}/_next/`;
}

function chunksOf(state: RemoteState, manifest: Manifest): string[] {
  const used = new Set(Object.entries(state.availability).filter(([, a]) => a === 'up').map(([expose]) => expose));
  const base = assetBase(state.location, manifest);
  const chunks = new Set<string>();
  for (const expose of manifest.exposes) {
    if (!used.has(expose.path ?? `./${expose.name}`)) continue;
    for (const file of [...expose.assets.css.sync, ...expose.assets.js.sync]) chunks.add(new URL(file, base).href);
  }
  return [...chunks];
}

export async function remoteChunksOf(state: RemoteState | undefined, now = Date.now()): Promise<string[]> {
  if (!FROM_RELEASE_ORIGIN || !state || !Object.values(state.availability).includes('up')) return [];
  const manifest = await withDeadline(manifestOf(state.location, now), REMOTE_CHUNKS_DEADLINE_MS, 'the manifest').catch(() => null);
  return manifest ? chunksOf(state, manifest) : [];
}
