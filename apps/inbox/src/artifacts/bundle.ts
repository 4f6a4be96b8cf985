/**
 * Reading an artifact bundle as sentry-cli and the bundler plugins write it: a zip whose
 * `manifest.json` lists each file with its `type` (`minified_source`, `source_map`, ...), `url`
 * (`~/…`) and `headers`; `debug-id` names the build a file belongs to, `sourcemap` (the JS CLI
 * writes `Sourcemap`) names a minified file's map. The whole archive is checked here, every entry
 * inflated within the limits, before the inbox keeps anything.
 */

import { MAX_MANIFEST_BYTES } from './limits.ts';
import { ZipError, type ZipEntry, readCentralDirectory, readEntry } from './zip.ts';

/** One debug ID of a bundle: its map and, when the bundle has it, its minified file. */
export interface IndexedDebugId {
  readonly debugId: string;
  readonly sourceMap: { readonly url: string; readonly entry: ZipEntry };
  readonly minifiedSource: { readonly url: string; readonly entry: ZipEntry } | undefined;
}

export interface BundleIndex {
  /** The manifest's `debug_id`: sentry-cli derives it from the files, so the same build gives the same one. */
  readonly bundleDebugId: string | undefined;
  readonly release: string | undefined;
  readonly dist: string | undefined;
  readonly debugIds: readonly IndexedDebugId[];
}

interface ManifestFile {
  readonly path: string;
  readonly type: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A debug ID as Sentry normalises it: lower-case uuid with dashes; undefined when not one. */
export function normalizeDebugId(text: string): string | undefined {
  const hex = text.trim().toLowerCase().replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function manifestFiles(manifest: Record<string, unknown>): ManifestFile[] {
  const files = manifest.files;
  if (!isRecord(files)) throw new ZipError('manifest.json has no "files" object');
  return Object.entries(files).map(([path, value]) => {
    if (!isRecord(value) || typeof value.type !== 'string' || typeof value.url !== 'string') {
      throw new ZipError(`manifest.json: ${path} has no "type" and "url"`);
    }
    const headers: Record<string, string> = {};
    if (isRecord(value.headers)) {
      for (const [key, header] of Object.entries(value.headers)) if (typeof header === 'string') headers[key.toLowerCase()] = header;
    }
    return { path, type: value.type, url: value.url, headers };
  });
}

/** The part of a path after its last slash. */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Opens the bundle in memory and checks all of it; the debug IDs it can resolve (those with a map).
 * Throws a ZipError with the reason when the bundle is not one the inbox keeps.
 */
export function readBundle(zip: Buffer): BundleIndex {
  const entries = readCentralDirectory(zip);
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  // Every entry is inflated once: declared sizes and CRCs are checked before anything is kept.
  let manifestText: string | undefined;
  for (const entry of entries) {
    const data = readEntry(zip, entry);
    if (entry.name === 'manifest.json') {
      if (data.length > MAX_MANIFEST_BYTES) throw new ZipError(`manifest.json is larger than ${MAX_MANIFEST_BYTES} bytes`);
      manifestText = data.toString('utf8');
    }
  }
  if (manifestText === undefined) throw new ZipError('not an artifact bundle (no manifest.json)');
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch {
    throw new ZipError('manifest.json is not JSON');
  }
  if (!isRecord(manifest)) throw new ZipError('manifest.json is not an object');
  const files = manifestFiles(manifest);
  for (const file of files) if (!byName.has(file.path)) throw new ZipError(`manifest.json lists ${file.path}, which the archive lacks`);

  const maps = new Map<string, ManifestFile>();
  const mapsByName = new Map<string, ManifestFile>();
  for (const file of files.filter((f) => f.type === 'source_map')) {
    mapsByName.set(baseName(file.url), file);
    const debugId = normalizeDebugId(file.headers['debug-id'] ?? '');
    if (debugId && !maps.has(debugId)) maps.set(debugId, file);
  }
  const minified = new Map<string, ManifestFile>();
  for (const file of files.filter((f) => f.type === 'minified_source')) {
    const named = file.headers.sourcemap === undefined ? undefined : mapsByName.get(baseName(file.headers.sourcemap));
    const debugId = normalizeDebugId(file.headers['debug-id'] ?? named?.headers['debug-id'] ?? '');
    if (!debugId) continue;
    // A map named by the file's `sourcemap` header but carrying no debug ID of its own pairs by that name.
    if (!maps.has(debugId) && named) maps.set(debugId, named);
    if (!minified.has(debugId)) minified.set(debugId, file);
  }

  const entryOf = (file: ManifestFile): ZipEntry => byName.get(file.path) as ZipEntry;
  const debugIds = [...maps].map(([debugId, map]): IndexedDebugId => {
    const source = minified.get(debugId);
    return {
      debugId,
      sourceMap: { url: map.url, entry: entryOf(map) },
      minifiedSource: source ? { url: source.url, entry: entryOf(source) } : undefined,
    };
  });
  return {
    bundleDebugId: typeof manifest.debug_id === 'string' ? normalizeDebugId(manifest.debug_id) : undefined,
    release: typeof manifest.release === 'string' ? manifest.release : undefined,
    dist: typeof manifest.dist === 'string' ? manifest.dist : undefined,
    debugIds,
  };
}
