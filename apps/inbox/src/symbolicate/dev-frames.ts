/**
 * Frames of `npm run dev`, resolved by the zones' own dev servers. Under `next dev` webpack wraps
 * each module in `eval` with an inline source map (Next forces `eval-source-map`), so a frame says
 * `webpack-internal:///./src/x.tsx` with the line of webpack's transformed module, a few lines off
 * the source around JSX and async code, and no debug ID: the map lives only in the dev server's
 * compilation. Next's dev server answers `POST /__nextjs_original-stack-frames` (what its error
 * overlay uses) with the original file, line, column and a code frame; the inbox asks it.
 *
 * Which server compiled a module the frame does not say (a remote's module runs in a host's
 * page), so the servers are asked in turn, the event's owner first, each for the frames still
 * unresolved. Only zones the topology names are asked, never an address from the event. A server
 * that is down, slow or not in dev mode leaves the frames as they were.
 */

import { ZONE_NAMES, type ZoneName, isZoneName, topology } from '@repo/topology';
import { tagMap } from '../event.ts';
import { type JsonObject, asArray, asNumber, asObject, asString, isObject } from '../json.ts';
import { isLibrarySource, isWebpackInternal } from './paths.ts';

export type ResolveDevFrames = (event: JsonObject, projectSlug: string) => Promise<JsonObject>;

export interface DevFrameOptions {
  /** The dev servers to ask for an event, in order. */
  readonly origins: (event: JsonObject, projectSlug: string) => readonly string[];
  /** How long one server may take to answer. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 1500;
/** Frames asked for at most per event (the SDKs send at most 50 per exception). */
const MAX_FRAMES = 200;

interface Pending {
  readonly value: number;
  readonly frame: number;
  readonly path: string;
  readonly raw: JsonObject;
}

interface Traced {
  readonly file: string;
  readonly line: number;
  readonly column: number | undefined;
  readonly codeFrame: string | undefined;
}

/** The lines of a Babel code frame (`> 28 |     throw …`), colours and caret lines dropped. */
function codeFrameLines(codeFrame: string): Map<number, string> {
  const lines = new Map<number, string>();
  // eslint-disable-next-line no-control-regex -- the dev server colours its code frames for a terminal
  for (const line of codeFrame.replace(/\u001b\[[0-9;]*m/g, '').split('\n')) {
    const match = /^[> ] *(\d+) \|(?: (.*))?$/.exec(line);
    if (match?.[1]) lines.set(Number(match[1]), match[2] ?? '');
  }
  return lines;
}

function contextOf(codeFrame: string | undefined, line: number): JsonObject {
  if (codeFrame === undefined) return {};
  const lines = codeFrameLines(codeFrame);
  const contextLine = lines.get(line);
  if (contextLine === undefined) return {};
  const around = (from: number, to: number): string[] => {
    const out: string[] = [];
    for (let n = from; n <= to; n++) {
      const text = lines.get(n);
      if (text !== undefined) out.push(text);
    }
    return out;
  };
  return { pre_context: around(line - 5, line - 1), context_line: contextLine, post_context: around(line + 1, line + 5) };
}

/** The dev server's answer for one frame, when it found the module's source. */
function traced(result: unknown, asked: string): Traced | undefined {
  const settled = asObject(result);
  if (settled?.status !== 'fulfilled') return undefined;
  const value = asObject(settled.value);
  const frame = asObject(value?.originalStackFrame);
  const file = asString(frame?.file);
  const line = asNumber(frame?.line1);
  // Without the module, the server echoes the frame as asked.
  if (file === undefined || line === undefined || file === asked || isWebpackInternal(file)) return undefined;
  return { file, line, column: asNumber(frame?.column1), codeFrame: asString(value?.codeFrame ?? value?.originalCodeFrame) };
}

async function ask(origin: string, pending: readonly Pending[], isServer: boolean, timeoutMs: number): Promise<unknown[]> {
  try {
    const response = await fetch(new URL('/__nextjs_original-stack-frames', origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        frames: pending.map(({ raw, path }) => ({
          file: path,
          methodName: asString(raw.function) ?? '<unknown>',
          line1: raw.lineno,
          column1: raw.colno,
          arguments: [],
        })),
        isServer,
        isEdgeServer: false,
        isAppDirectory: false,
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return [];
    return [...(asArray(await response.json()) ?? [])];
  } catch {
    return [];
  }
}

function resolvedFrame(raw: JsonObject, trace: Traced, origin: string): JsonObject {
  const filename = trace.file.replace(/^(?:\.\.?\/)+/, '');
  // The context webpack's module had, if any, is not the source's.
  const rest: Record<string, unknown> = {};
  for (const key in raw) if (key !== 'pre_context' && key !== 'context_line' && key !== 'post_context') rest[key] = raw[key];
  return {
    ...rest,
    filename,
    lineno: trace.line,
    colno: trace.column ?? raw.colno,
    in_app: !isLibrarySource(filename),
    ...contextOf(trace.codeFrame, trace.line),
    data: { ...asObject(raw.data), symbolicated: true, resolved_with: 'next-dev-server', dev_server: origin },
  };
}

function pendingFrames(values: readonly unknown[]): Pending[] {
  const pending: Pending[] = [];
  values.forEach((value, v) => {
    const frames = isObject(value) ? asArray(asObject(value.stacktrace)?.frames) : undefined;
    frames?.forEach((frame, f) => {
      if (!isObject(frame) || pending.length >= MAX_FRAMES) return;
      const path = asString(frame.abs_path) ?? asString(frame.filename);
      if (path === undefined || !isWebpackInternal(path)) return;
      if (asNumber(frame.lineno) === undefined || asNumber(frame.colno) === undefined) return;
      pending.push({ value: v, frame: f, path, raw: frame });
    });
  });
  return pending;
}

export function createDevFrameResolver(options: DevFrameOptions): ResolveDevFrames {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async (event, projectSlug) => {
    const exception = asObject(event.exception);
    const values = asArray(exception?.values);
    if (!exception || !values) return event;
    let pending = pendingFrames(values);
    if (pending.length === 0) return event;
    const isServer = event.platform === 'node';
    const resolved = new Map<Pending, JsonObject>();
    for (const origin of options.origins(event, projectSlug)) {
      if (pending.length === 0) break;
      const answers = await ask(origin, pending, isServer, timeoutMs);
      const left: Pending[] = [];
      pending.forEach((item, i) => {
        const trace = traced(answers[i], item.path);
        if (trace) resolved.set(item, resolvedFrame(item.raw, trace, origin));
        else left.push(item);
      });
      pending = left;
    }
    if (resolved.size === 0) return event;
    const byPosition = new Map([...resolved].map(([item, frame]) => [`${item.value}/${item.frame}`, frame]));
    const processed = values.map((value, v) => {
      if (!isObject(value)) return value;
      const stacktrace = asObject(value.stacktrace);
      const frames = asArray(stacktrace?.frames);
      if (!stacktrace || !frames || !frames.some((_, f) => byPosition.has(`${v}/${f}`))) return value;
      return {
        ...value,
        stacktrace: { ...stacktrace, frames: frames.map((frame, f) => byPosition.get(`${v}/${f}`) ?? frame) },
        raw_stacktrace: value.raw_stacktrace ?? stacktrace,
      };
    });
    return { ...event, exception: { ...exception, values: processed } };
  };
}

/** The zones' dev servers, the event's owner first, then the zone it happened in, then the others. */
export function zoneDevOrigins(event: JsonObject, projectSlug: string): string[] {
  const zone = tagMap(event).get('zone');
  const order: ZoneName[] = [];
  for (const name of [projectSlug, zone, ...ZONE_NAMES]) {
    if (name !== undefined && isZoneName(name) && !order.includes(name)) order.push(name);
  }
  return order.map((name) => topology.zones[name].origin);
}
