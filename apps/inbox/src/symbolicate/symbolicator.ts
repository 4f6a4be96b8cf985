/**
 * Symbolication of JavaScript events, as Sentry's symbolicator does it for source maps found by
 * debug ID:
 * - the SDK lists each bundle file it saw as `debug_meta.images[{ type: "sourcemap", code_file,
 *   debug_id }]`; a frame whose `abs_path` (else `filename`) is a `code_file`, or that carries its
 *   own `debug_id`, is looked up in the artifacts uploaded to the event's project;
 * - its position (1-based `lineno`, `colno`) is traced through the map to the original source:
 *   `abs_path` is the map's source as written, `filename` the readable name (paths.ts), five lines
 *   of `pre_context`/`post_context` around `context_line` from the map's `sourcesContent`;
 * - the function name: for the application's frames, the original name of the function around
 *   the position (scopes.ts, from the minified file uploaded with the map); for an anonymous one,
 *   for library frames and without the minified file, the call site in the frame
 *   below it (its caller; frames run outermost first), a token of the original source whose name
 *   is the callee's original name. Without either the minified name stays;
 * - `in_app` is false for library and bundler sources;
 * - the frames as sent go to `raw_stacktrace` when at least one was resolved, and `errors` says,
 *   with Sentry's error types, why a frame that had a debug ID was not.
 *
 * In `npm run dev`, webpack serves modules as `webpack-internal:///(<layer>)/./src/x.tsx` with no
 * debug ID; those frames get their readable file name (the line is the one of webpack's
 * transformed module, which the inbox cannot map back without the dev server).
 *
 * Never throws: whatever the event or the map holds, the worst outcome is a frame left raw.
 */

import { type TraceMap, traceSegment } from '@jridgewell/trace-mapping';
import type { ArtifactLookup, DebugIdArtifact } from '../artifacts/lookup.ts';
import { type JsonObject, asArray, asNumber, asObject, asString, isObject } from '../json.ts';
import { DEFAULT_MAP_CACHE_LIMITS, type MapCacheLimits, MapCache, type MapEntry, type ParsedMap } from './map-cache.ts';
import { displayName, isLibrarySource, isWebpackInternal } from './paths.ts';

export type Symbolicate = (event: JsonObject, projectSlug: string) => JsonObject;

export interface SymbolicatorOptions {
  /** Bounds of the parsed-map cache. */
  readonly cache?: Partial<MapCacheLimits>;
}

/** Lines of source shown before and after the frame's line, as Sentry shows them. */
const CONTEXT_LINES = 5;
/** Longer context lines are cut around the column, as Sentry cuts them (minified sources). */
const MAX_LINE = 140;
/** Names a call site may carry that name no function worth showing (Sentry's list). */
const USELESS_NAMES: ReadonlySet<string> = new Set(['<anonymous>', '__webpack_require__', '__webpack_modules__']);

/** The fields of a raw frame a resolved one replaces or drops. */
const REPLACED: ReadonlySet<string> = new Set([
  'filename', 'abs_path', 'function', 'lineno', 'colno', 'in_app', 'data',
  'pre_context', 'context_line', 'post_context', 'debug_id',
]);

/** A processing error, in Sentry's event `errors` shape. */
type ProcessingError = Readonly<Record<string, string | number>>;

/** One event's symbolication: what it holds, and what was found for it so far. */
interface Pass {
  /** `code_file` → debug ID. */
  readonly images: ReadonlyMap<string, string>;
  readonly projectSlug: string;
  /** Why frames stayed raw, each reason once. */
  readonly errors: Map<string, ProcessingError>;
  readonly sources: Map<string, Source | undefined>;
}

interface Source {
  readonly artifact: DebugIdArtifact;
  readonly entry: MapEntry;
}

interface Resolved {
  readonly frame: JsonObject;
  /** The original name at the frame's position: the name of the function it calls. */
  readonly callee: string | undefined;
}

function cut(line: string, column: number | undefined): string {
  if (line.length <= MAX_LINE) return line;
  if (column === undefined) return `${line.slice(0, MAX_LINE)} {snip}`;
  const start = Math.max(0, Math.min(column - MAX_LINE / 2, line.length - MAX_LINE));
  const end = start + MAX_LINE;
  return `${start > 0 ? '{snip} ' : ''}${line.slice(start, end)}${end < line.length ? ' {snip}' : ''}`;
}

function context(lines: readonly string[], line: number, column: number): JsonObject {
  const index = line - 1;
  const contextLine = lines[index];
  if (contextLine === undefined) return {};
  return {
    pre_context: lines.slice(Math.max(0, index - CONTEXT_LINES), index).map((l) => cut(l, undefined)),
    context_line: cut(contextLine, column),
    post_context: lines.slice(index + 1, index + 1 + CONTEXT_LINES).map((l) => cut(l, undefined)),
  };
}

function frameData(frame: JsonObject, data: JsonObject): JsonObject {
  return { ...asObject(frame.data), ...data };
}

/** `code_file` → debug ID, from the event's source map images. */
function imagesOf(event: JsonObject): Map<string, string> {
  const images = new Map<string, string>();
  for (const image of asArray(asObject(event.debug_meta)?.images) ?? []) {
    if (!isObject(image) || image.type !== 'sourcemap') continue;
    const codeFile = asString(image.code_file);
    const debugId = asString(image.debug_id);
    if (codeFile !== undefined && debugId !== undefined) images.set(codeFile, debugId.toLowerCase());
  }
  return images;
}

function segmentAt(map: TraceMap, line: number, column: number): { source: number; line: number; column: number; name: number | undefined } | undefined {
  const segment = traceSegment(map, line - 1, column - 1);
  if (!segment || segment.length === 1) return undefined;
  const [, source, sourceLine, sourceColumn, name] = segment;
  return { source, line: sourceLine + 1, column: sourceColumn + 1, name };
}

class Symbolicator {
  private readonly maps: MapCache;

  constructor(
    private readonly lookup: ArtifactLookup,
    options: SymbolicatorOptions,
  ) {
    this.maps = new MapCache({ ...DEFAULT_MAP_CACHE_LIMITS, ...options.cache });
  }

  symbolicate(event: JsonObject, projectSlug: string): JsonObject {
    try {
      return this.process(event, projectSlug);
    } catch (error) {
      // Unreachable by design; the event is still worth more raw than lost.
      const reason = error instanceof Error ? error.message : String(error);
      return { ...event, errors: [...(asArray(event.errors) ?? []), { type: 'js_invalid_source', value: reason }] };
    }
  }

  private process(event: JsonObject, projectSlug: string): JsonObject {
    const exception = asObject(event.exception);
    const values = asArray(exception?.values ?? event.exception);
    if (!values) return event;
    const pass: Pass = { images: imagesOf(event), projectSlug, errors: new Map(), sources: new Map() };
    const errors = pass.errors;
    let changed = false;
    const processed = values.map((value) => {
      if (!isObject(value)) return value;
      const stacktrace = asObject(value.stacktrace);
      const frames = asArray(stacktrace?.frames);
      if (!stacktrace || !frames) return value;
      const result = this.frames(frames, pass);
      if (!result) return value;
      changed = true;
      return { ...value, stacktrace: { ...stacktrace, frames: result }, raw_stacktrace: stacktrace };
    });
    if (!changed && errors.size === 0) return event;
    const out: Record<string, unknown> = { ...event };
    if (changed) out.exception = exception ? { ...exception, values: processed } : processed;
    if (errors.size > 0) out.errors = [...(asArray(event.errors) ?? []), ...errors.values()];
    return out;
  }

  /** The frames resolved, or undefined when none changed. */
  private frames(frames: readonly unknown[], pass: Pass): unknown[] | undefined {
    let changed = false;
    let callee: string | undefined;
    const resolved = frames.map((frame) => {
      if (!isObject(frame)) {
        callee = undefined;
        return undefined;
      }
      const result = this.frame(frame, pass, callee);
      callee = result?.callee;
      if (result) changed = true;
      return result?.frame;
    });
    if (!changed) return undefined;
    // In a processed stack trace, every frame says whether it was resolved.
    return frames.map((frame, i) =>
      resolved[i] ?? (isObject(frame) ? { ...frame, data: frameData(frame, { symbolicated: false }) } : frame),
    );
  }

  /** The artifact and parsed map of a debug ID, looked up once per event. */
  private source(debugId: string, pass: Pass): Source | undefined {
    if (pass.sources.has(debugId)) return pass.sources.get(debugId);
    const artifact = this.lookup.find(debugId, pass.projectSlug);
    const found = artifact && {
      artifact,
      entry: this.maps.get(`${artifact.bundleId}/${debugId}`, () => ({
        map: artifact.sourceMap.text,
        minified: artifact.minifiedSource?.text,
      })),
    };
    pass.sources.set(debugId, found);
    return found;
  }

  private frame(frame: JsonObject, pass: Pass, callerName: string | undefined): Resolved | undefined {
    const path = asString(frame.abs_path) ?? asString(frame.filename);
    const debugId = asString(frame.debug_id)?.toLowerCase() ?? (path === undefined ? undefined : pass.images.get(path));
    if (debugId === undefined) return path !== undefined && isWebpackInternal(path) ? devFrame(frame, path) : undefined;
    const fail = (error: ProcessingError): undefined => {
      pass.errors.set(JSON.stringify(error), error);
      return undefined;
    };
    const url = path ?? '<unknown>';
    const found = this.source(debugId, pass);
    if (!found) return fail({ type: 'js_no_source', url, debug_id: debugId });
    const { artifact, entry } = found;
    const lineno = asNumber(frame.lineno);
    const colno = asNumber(frame.colno);
    if (colno === undefined) return fail({ type: 'js_no_column', url });
    if (lineno === undefined || lineno < 1 || colno < 1) {
      return fail({ type: 'js_invalid_sourcemap_location', url, row: lineno ?? 0, column: colno });
    }
    if (!entry.ok) return fail({ type: 'js_invalid_source', url: artifact.sourceMap.url, value: entry.reason });
    const position = segmentAt(entry.parsed.map, lineno, colno);
    const source = position && entry.parsed.map.sources[position.source];
    if (!position || typeof source !== 'string') {
      return fail({ type: 'js_invalid_sourcemap_location', url, row: lineno, column: colno });
    }
    const lines = entry.parsed.lines(position.source);
    if (!lines) fail({ type: 'js_missing_sources_content', source, sourcemap: artifact.sourceMap.url });
    const filename = displayName(source);
    const inApp = !isLibrarySource(filename);
    // Library frames keep to the call site's name: parsing a large vendor chunk (React alone is
    // 200 KB minified, a fifth of a second to parse) would stall ingest for names nobody groups by.
    const name = (inApp ? enclosingName(entry.parsed, lineno, colno) : undefined) ?? callerName;
    return {
      frame: resolvedFrame(frame, artifact, position, { abs_path: source, filename, in_app: inApp }, lines, name),
      callee: position.name === undefined ? undefined : entry.parsed.map.names[position.name],
    };
  }
}

/**
 * The original name of the function around a minified position: the map's name for the
 * function's (or its property's) name token; a property name as written, since minifiers keep
 * those. Undefined when the function is anonymous or its name is a mangled one the map does not
 * name.
 */
function enclosingName(parsed: ParsedMap, line: number, column: number): string | undefined {
  const named = parsed.scopes()?.enclosingName(line, column);
  if (!named) return undefined;
  const segment = traceSegment(parsed.map, named.line - 1, named.column - 1);
  if (segment?.length === 5 && segment[0] === named.column - 1) return parsed.map.names[segment[4]] ?? undefined;
  return named.isProperty ? named.text : undefined;
}

function resolvedFrame(
  frame: JsonObject,
  artifact: DebugIdArtifact,
  position: { line: number; column: number },
  where: { abs_path: string; filename: string; in_app: boolean },
  lines: readonly string[] | undefined,
  knownName: string | undefined,
): JsonObject {
  const name = knownName !== undefined && knownName !== '' && !USELESS_NAMES.has(knownName) ? knownName : asString(frame.function);
  // What the SDK said of the minified file (its context, the debug ID) is dropped; the rest stays.
  const rest: Record<string, unknown> = {};
  for (const key in frame) if (!REPLACED.has(key)) rest[key] = frame[key];
  const around = lines ? context(lines, position.line, position.column) : {};
  return {
    ...rest,
    filename: where.filename,
    abs_path: where.abs_path,
    function: name,
    lineno: position.line,
    colno: position.column,
    in_app: where.in_app,
    ...around,
    data: frameData(frame, {
      sourcemap: artifact.sourceMap.url,
      resolved_with: 'debug-id',
      symbolicated: true,
      ...(artifact.release === undefined ? {} : { release: artifact.release }),
    }),
  };
}

/** A dev-mode webpack module frame: the readable file name; the position stays webpack's. */
function devFrame(frame: JsonObject, path: string): Resolved {
  const filename = displayName(path);
  return {
    frame: {
      ...frame,
      filename,
      abs_path: path,
      in_app: !isLibrarySource(filename),
      data: frameData(frame, { symbolicated: false, resolved_with: 'webpack-internal' }),
    },
    callee: undefined,
  };
}

/**
 * A symbolicator reading the artifacts `lookup` finds. The function it returns gives a new event
 * (or the same object when nothing in it could be resolved) and never throws.
 */
export function createSymbolicator(lookup: ArtifactLookup, options: SymbolicatorOptions = {}): Symbolicate {
  const symbolicator = new Symbolicator(lookup, options);
  return (event, projectSlug) => symbolicator.symbolicate(event, projectSlug);
}
