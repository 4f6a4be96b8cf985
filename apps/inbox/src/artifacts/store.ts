/**
 * The inbox's artifact store: source-map bundles uploaded with `sentry-cli sourcemaps upload`,
 * kept on disk, indexed by debug ID, scoped by project as Sentry scopes them.
 *
 *   <dataDir>/artifacts/chunks/<sha1>        chunks waiting for their assemble request (temporary;
 *                                            emptied at start and once their bundle is assembled)
 *   <dataDir>/artifacts/bundles/<sha1>.zip   each bundle as uploaded, named by its checksum
 *   <dataDir>/artifacts/index.sqlite         which bundles exist, their debug IDs and where each
 *                                            file sits in its zip, which projects each was uploaded to
 *
 * The index is a SQLite file of its own (the event store holds its database in EXCLUSIVE mode)
 * and is loaded whole into memory at start, so `find` is a map lookup; a file's text is read
 * from the zip on disk only when asked for (the symbolicator keeps the maps it parsed). A bundle is checked whole (zip.ts, bundle.ts) before
 * its file is written and its rows committed in one transaction; a bad one changes nothing.
 *
 * Everything here is synchronous: an assemble request is handled from start to finish without
 * another request interleaving, so there is nothing to lock.
 */

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projectBySlug } from '../projects.ts';
import { type BundleIndex, normalizeDebugId, readBundle } from './bundle.ts';
import { MAX_CHUNKS_PER_BUNDLE, MAX_FILE_SIZE, MAX_PENDING_CHUNK_BYTES } from './limits.ts';
import type { ArtifactFile, ArtifactLookup, DebugIdArtifact } from './lookup.ts';
import { LOCAL_HEADER_SIZE, ZipError, type ZipEntry, dataOffset, inflateEntry } from './zip.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bundles (
  id TEXT PRIMARY KEY,
  bundle_debug_id TEXT,
  release TEXT,
  dist TEXT,
  size INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bundle_projects (
  bundle_id TEXT NOT NULL REFERENCES bundles(id),
  project TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (bundle_id, project)
);
CREATE TABLE IF NOT EXISTS debug_ids (
  bundle_id TEXT NOT NULL REFERENCES bundles(id),
  debug_id TEXT NOT NULL,
  map_url TEXT NOT NULL,
  map_entry TEXT NOT NULL,
  source_url TEXT,
  source_entry TEXT,
  PRIMARY KEY (bundle_id, debug_id)
);
`;

export interface AssembleRequest {
  readonly checksum: string;
  readonly chunks: readonly string[];
  readonly projects: readonly string[];
  readonly version: string | undefined;
  readonly dist: string | undefined;
}

/** Sentry's answer to an assemble request (`created`/`assembling` never: the inbox assembles at once). */
export type AssembleAnswer =
  | { readonly state: 'ok'; readonly missingChunks: readonly string[]; readonly detail: null }
  | { readonly state: 'not_found'; readonly missingChunks: readonly string[]; readonly detail: null }
  | { readonly state: 'error'; readonly missingChunks: readonly string[]; readonly detail: string };

interface FileRef {
  readonly url: string;
  readonly entry: ZipEntry;
}

interface IndexedFiles {
  readonly bundleId: string;
  readonly sourceMap: FileRef;
  readonly minifiedSource: FileRef | undefined;
}

interface BundleInfo {
  readonly release: string | undefined;
  /** Project slug → order of its latest upload (higher is newer). */
  readonly projects: Map<string, number>;
}

interface DebugIdRow {
  bundle_id: string;
  debug_id: string;
  map_url: string;
  map_entry: string;
  source_url: string | null;
  source_entry: string | null;
}

export function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

export const SHA1 = /^[0-9a-f]{40}$/;

export class ArtifactStore implements ArtifactLookup {
  private readonly bundles = new Map<string, BundleInfo>();
  private readonly byDebugId = new Map<string, IndexedFiles[]>();
  /** `<manifest debug_id> <release>` → checksum: the same build uploaded again is the same bundle. */
  private readonly sameBuild = new Map<string, string>();
  /** Chunks on disk waiting for their assemble request: checksum → size. */
  private readonly pending = new Map<string, number>();
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly db: Database.Database,
  ) {
    this.load();
  }

  /** Opens (creating if needed) the store under `<dataDir>/artifacts` and loads its index. */
  static open(dataDir: string): ArtifactStore {
    const dir = join(dataDir, 'artifacts');
    mkdirSync(join(dir, 'bundles'), { recursive: true });
    // Chunks are only kept between an upload and its assemble request; a restart ends those.
    rmSync(join(dir, 'chunks'), { recursive: true, force: true });
    mkdirSync(join(dir, 'chunks'));
    const db = new Database(join(dir, 'index.sqlite'), { timeout: 1000 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
      return new ArtifactStore(dir, db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private load(): void {
    const bundles = this.db.prepare('SELECT id, bundle_debug_id, release FROM bundles').all() as {
      id: string;
      bundle_debug_id: string | null;
      release: string | null;
    }[];
    for (const bundle of bundles) {
      this.bundles.set(bundle.id, { release: bundle.release ?? undefined, projects: new Map() });
      if (bundle.bundle_debug_id !== null) this.sameBuild.set(buildKey(bundle.bundle_debug_id, bundle.release ?? undefined), bundle.id);
    }
    const links = this.db.prepare('SELECT bundle_id, project, seq FROM bundle_projects').all() as {
      bundle_id: string;
      project: string;
      seq: number;
    }[];
    for (const link of links) {
      this.bundles.get(link.bundle_id)?.projects.set(link.project, link.seq);
      this.seq = Math.max(this.seq, link.seq);
    }
    for (const row of this.db.prepare('SELECT * FROM debug_ids').all() as DebugIdRow[]) {
      if (!this.bundles.has(row.bundle_id)) continue;
      this.indexFiles(row.debug_id, {
        bundleId: row.bundle_id,
        sourceMap: { url: row.map_url, entry: JSON.parse(row.map_entry) as ZipEntry },
        minifiedSource:
          row.source_url === null || row.source_entry === null
            ? undefined
            : { url: row.source_url, entry: JSON.parse(row.source_entry) as ZipEntry },
      });
    }
  }

  private indexFiles(debugId: string, files: IndexedFiles): void {
    const list = this.byDebugId.get(debugId);
    if (list) list.push(files);
    else this.byDebugId.set(debugId, [files]);
  }

  private chunkFile(checksum: string): string {
    return join(this.dir, 'chunks', checksum);
  }

  private bundleFile(checksum: string): string {
    return join(this.dir, 'bundles', `${checksum}.zip`);
  }

  /**
   * Keeps chunks (already checked: each name is the sha1 of its data) until their assemble
   * request. Returns a reason, and keeps none of them, when they would pass MAX_PENDING_CHUNK_BYTES.
   */
  storeChunks(chunks: readonly { readonly checksum: string; readonly data: Buffer }[]): string | undefined {
    const pendingBytes = [...this.pending.values()].reduce((a, b) => a + b, 0);
    const adding = chunks.filter(({ checksum }) => !this.pending.has(checksum)).reduce((a, { data }) => a + data.length, 0);
    if (pendingBytes + adding > MAX_PENDING_CHUNK_BYTES) {
      return `More than ${MAX_PENDING_CHUNK_BYTES} bytes of chunks would wait for an assemble request; assemble the bundles uploaded first.`;
    }
    for (const { checksum, data } of chunks) {
      if (this.pending.has(checksum)) continue;
      const file = this.chunkFile(checksum);
      writeFileSync(`${file}.tmp`, data);
      renameSync(`${file}.tmp`, file);
      this.pending.set(checksum, data.length);
    }
    return undefined;
  }

  private dropChunks(checksums: readonly string[]): void {
    for (const checksum of new Set(checksums)) {
      rmSync(this.chunkFile(checksum), { force: true });
      this.pending.delete(checksum);
    }
  }

  /** Chunks waiting for an assemble request (tests). */
  get pendingChunks(): number {
    return this.pending.size;
  }

  /**
   * Sentry's assemble step: a known bundle gets the request's projects; otherwise the chunks it
   * lacks are named, or the bundle is put together, checked and kept. `projects` must be known slugs
   * (the route checks).
   */
  assemble(request: AssembleRequest): AssembleAnswer {
    const { checksum, chunks, projects } = request;
    if (this.bundles.has(checksum)) {
      this.associate(checksum, projects);
      return { state: 'ok', missingChunks: [], detail: null };
    }
    if (chunks.length === 0) return { state: 'error', missingChunks: [], detail: 'The request names no chunks.' };
    if (chunks.length > MAX_CHUNKS_PER_BUNDLE) {
      return { state: 'error', missingChunks: [], detail: `A bundle has at most ${MAX_CHUNKS_PER_BUNDLE} chunks.` };
    }
    const missing = [...new Set(chunks.filter((chunk) => !this.pending.has(chunk)))];
    if (missing.length > 0) return { state: 'not_found', missingChunks: missing, detail: null };
    try {
      return this.assembleChunks(request);
    } finally {
      this.dropChunks(chunks);
    }
  }

  private assembleChunks(request: AssembleRequest): AssembleAnswer {
    const { checksum, chunks } = request;
    const error = (detail: string): AssembleAnswer => ({ state: 'error', missingChunks: [], detail });
    const size = chunks.reduce((total, chunk) => total + (this.pending.get(chunk) ?? 0), 0);
    if (size > MAX_FILE_SIZE) return error(`The bundle is ${size} bytes; this inbox takes at most ${MAX_FILE_SIZE}.`);
    const zip = Buffer.concat(chunks.map((chunk) => readFileSync(this.chunkFile(chunk))), size);
    const actual = sha1(zip);
    if (actual !== checksum) return error(`Checksum mismatch: the chunks put together have sha1 ${actual}, not ${checksum}.`);
    let index: BundleIndex;
    try {
      index = readBundle(zip);
    } catch (cause) {
      if (cause instanceof ZipError) return error(`Not a valid artifact bundle: ${cause.message}.`);
      throw cause;
    }
    if (index.debugIds.length === 0) {
      return error('The bundle has no source map with a debug ID: run `sentry-cli sourcemaps inject` on the build first.');
    }
    const release = index.release ?? request.version;
    // sentry-cli stamps the zip entries with the time of the upload, so the same build uploaded again
    // has another checksum but the same manifest debug_id: keep one copy, as Sentry does.
    const same = index.bundleDebugId === undefined ? undefined : this.sameBuild.get(buildKey(index.bundleDebugId, release));
    if (same !== undefined) this.associate(same, request.projects);
    else this.keep(checksum, zip, index, release, request);
    return { state: 'ok', missingChunks: [], detail: null };
  }

  /** Writes the bundle, then commits its rows; the file is removed again when the commit fails. */
  private keep(checksum: string, zip: Buffer, index: BundleIndex, release: string | undefined, request: AssembleRequest): void {
    const file = this.bundleFile(checksum);
    writeFileSync(`${file}.tmp`, zip);
    renameSync(`${file}.tmp`, file);
    try {
      this.db.transaction(() => {
        this.db
          .prepare('INSERT INTO bundles (id, bundle_debug_id, release, dist, size, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(checksum, index.bundleDebugId ?? null, release ?? null, index.dist ?? request.dist ?? null, zip.length, new Date().toISOString());
        const insert = this.db.prepare(
          'INSERT INTO debug_ids (bundle_id, debug_id, map_url, map_entry, source_url, source_entry) VALUES (?, ?, ?, ?, ?, ?)',
        );
        for (const { debugId, sourceMap, minifiedSource } of index.debugIds) {
          insert.run(
            checksum,
            debugId,
            sourceMap.url,
            JSON.stringify(sourceMap.entry),
            minifiedSource?.url ?? null,
            minifiedSource ? JSON.stringify(minifiedSource.entry) : null,
          );
        }
      })();
    } catch (cause) {
      rmSync(file, { force: true });
      throw cause;
    }
    this.bundles.set(checksum, { release, projects: new Map() });
    if (index.bundleDebugId !== undefined) this.sameBuild.set(buildKey(index.bundleDebugId, release), checksum);
    for (const { debugId, sourceMap, minifiedSource } of index.debugIds) {
      this.indexFiles(debugId, { bundleId: checksum, sourceMap, minifiedSource });
    }
    this.associate(checksum, request.projects);
  }

  /** The bundle becomes the newest for these projects (sentry-cli's manifest names none, so one checksum comes for several). */
  private associate(checksum: string, projects: readonly string[]): void {
    const bundle = this.bundles.get(checksum);
    if (!bundle) return;
    const upsert = this.db.prepare(
      'INSERT INTO bundle_projects (bundle_id, project, seq) VALUES (?, ?, ?) ON CONFLICT (bundle_id, project) DO UPDATE SET seq = excluded.seq',
    );
    const seqs = projects.map(() => ++this.seq);
    this.db.transaction(() => projects.forEach((project, i) => upsert.run(checksum, project, seqs[i])))();
    projects.forEach((project, i) => bundle.projects.set(project, seqs[i] ?? 0));
  }

  find(debugId: string, projectSlug: string): DebugIdArtifact | undefined {
    const id = normalizeDebugId(debugId);
    if (!id || this.closed) return undefined;
    let newest: IndexedFiles | undefined;
    let newestSeq = -1;
    for (const files of this.byDebugId.get(id) ?? []) {
      const seq = this.bundles.get(files.bundleId)?.projects.get(projectSlug);
      if (seq !== undefined && seq > newestSeq) {
        newest = files;
        newestSeq = seq;
      }
    }
    // A bundle file gone from disk: as if never uploaded; symbolication says the map is missing.
    if (!newest || !existsSync(this.bundleFile(newest.bundleId))) return undefined;
    const file = this.bundleFile(newest.bundleId);
    return {
      debugId: id,
      bundleId: newest.bundleId,
      release: this.bundles.get(newest.bundleId)?.release,
      sourceMap: lazyFile(file, newest.sourceMap),
      minifiedSource: newest.minifiedSource && lazyFile(file, newest.minifiedSource),
    };
  }

  /** Whether any bundle has this checksum (tests, diagnostics). */
  hasBundle(checksum: string): boolean {
    return this.bundles.has(checksum);
  }

  /** How many bundles are kept. */
  get bundleCount(): number {
    return this.bundles.size;
  }

  /** The projects a bundle was uploaded to. */
  projectsOf(checksum: string): string[] {
    return [...(this.bundles.get(checksum)?.projects.keys() ?? [])].sort();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function buildKey(bundleDebugId: string, release: string | undefined): string {
  return `${bundleDebugId} ${release ?? ''}`;
}

/**
 * A file of a bundle, read from the zip when its text is first asked for: the symbolicator asks
 * only when its cache of parsed maps misses, and that cache is the one that keeps anything.
 */
function lazyFile(bundle: string, ref: FileRef): ArtifactFile {
  let text: string | undefined;
  return {
    url: ref.url,
    get text() {
      text ??= readZipEntry(bundle, ref.entry).toString('utf8');
      return text;
    },
  };
}

function readZipEntry(bundle: string, entry: ZipEntry): Buffer {
  const fd = openSync(bundle, 'r');
  try {
    const header = Buffer.alloc(LOCAL_HEADER_SIZE);
    readSync(fd, header, 0, LOCAL_HEADER_SIZE, entry.offset);
    const data = Buffer.alloc(entry.compressedSize);
    const read = readSync(fd, data, 0, entry.compressedSize, dataOffset(entry, header));
    return inflateEntry(entry, data.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}

/** The project slugs of the inbox that a list lacks. */
export function unknownProjects(slugs: readonly string[]): string[] {
  return slugs.filter((slug) => !projectBySlug(slug));
}
