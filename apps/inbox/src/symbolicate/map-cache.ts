/**
 * Parsed source maps, kept by bundle and debug ID in a bounded least-recently-used cache: a map of
 * a Next.js chunk is parsed once, not once per event, and a burst of events from many builds
 * cannot grow the inbox without limit (bounded both in maps and in the size of their text).
 * A map that does not parse is remembered too, so a broken upload costs one attempt, not one per
 * frame.
 */

import { FlattenMap, type TraceMap } from '@jridgewell/trace-mapping';
import { ScopeIndex } from './scopes.ts';

export interface ParsedMap {
  readonly map: TraceMap;
  /** A source's lines, split once on first use. */
  lines(sourceIndex: number): readonly string[] | undefined;
  /** The minified file's functions, parsed once on first use; undefined without the file. */
  scopes(): ScopeIndex | undefined;
}

/** What a cache miss reads: the map's text and the minified file's, when uploaded. */
export interface MapTexts {
  readonly map: string;
  readonly minified: string | undefined;
}

export type MapEntry = { readonly ok: true; readonly parsed: ParsedMap } | { readonly ok: false; readonly reason: string };

export interface MapCacheLimits {
  /** How many parsed maps to keep. */
  readonly maxMaps: number;
  /** How many characters of map text the kept maps may add up to (the newest is kept anyway). */
  readonly maxChars: number;
}

export const DEFAULT_MAP_CACHE_LIMITS: MapCacheLimits = { maxMaps: 100, maxChars: 64 * 1024 * 1024 };

/**
 * The largest minified file whose functions are parsed for names: parsing costs up to a
 * millisecond per KB (measured: 300 KB in 0.26 s, 1.4 MB in 1.2 s), once per file, on the ingest
 * path. Frames in larger files are named by their call sites.
 */
const MAX_SCOPE_SOURCE = 1024 * 1024;

function parse({ map: text, minified }: MapTexts): MapEntry {
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return { ok: false, reason: 'the source map is not a JSON object' };
    }
    const map = FlattenMap(json as Parameters<typeof FlattenMap>[0]);
    if (!Array.isArray(map.sources)) return { ok: false, reason: 'the source map has no sources' };
    const split = new Map<number, readonly string[] | undefined>();
    let scopes: ScopeIndex | undefined;
    let source = minified;
    return {
      ok: true,
      parsed: {
        map,
        lines(sourceIndex) {
          if (!split.has(sourceIndex)) {
            const content = map.sourcesContent?.[sourceIndex];
            split.set(sourceIndex, typeof content === 'string' ? content.split(/\r\n|\r|\n/) : undefined);
          }
          return split.get(sourceIndex);
        },
        scopes() {
          if (source !== undefined) {
            scopes = source.length <= MAX_SCOPE_SOURCE ? ScopeIndex.of(source) : undefined;
            // Parsed (or found unparsable) once; the text is not needed any more.
            source = undefined;
          }
          return scopes;
        },
      },
    };
  } catch (error) {
    return { ok: false, reason: `the source map does not parse: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export class MapCache {
  private readonly entries = new Map<string, { readonly entry: MapEntry; readonly chars: number }>();
  private chars = 0;

  constructor(private readonly limits: MapCacheLimits = DEFAULT_MAP_CACHE_LIMITS) {}

  /** The parsed map under `key`; `texts()` is read only when it is not cached. */
  get(key: string, texts: () => MapTexts): MapEntry {
    const cached = this.entries.get(key);
    if (cached) {
      // Re-inserting moves it to the end: Map order is the recency order.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.entry;
    }
    let read: MapTexts | undefined;
    let entry: MapEntry;
    try {
      read = texts();
      entry = parse(read);
    } catch (error) {
      entry = { ok: false, reason: `the source map could not be read: ${error instanceof Error ? error.message : String(error)}` };
    }
    // A failed parse keeps nothing of the text.
    const chars = entry.ok && read ? read.map.length + (read.minified?.length ?? 0) : 0;
    this.entries.set(key, { entry, chars });
    this.chars += chars;
    this.evict();
    return entry;
  }

  /** How many maps are kept. */
  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const [key, { chars }] of this.entries) {
      if (this.entries.size <= 1) return;
      if (this.entries.size <= this.limits.maxMaps && this.chars <= this.limits.maxChars) return;
      this.entries.delete(key);
      this.chars -= chars;
    }
  }
}
