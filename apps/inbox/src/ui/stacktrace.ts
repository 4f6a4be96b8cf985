/**
 * An exception's stack trace as an owner can act on it, in the symbolicated shape ingest stores
 * (Sentry's event JSON): per frame its function, file and line:col, the code around the failing
 * line when the frame carries it, and which team's build the frame came from.
 *
 * Frames are stored outermost first; the page shows the crash frame on top, as Sentry does, with
 * in-app frames first and the system/library ones behind a `<details>` (no script needed: the
 * CSP allows none inline). Events without any of this (sent before symbolication, or by SDKs that
 * add no context) show what they have.
 */

import { isZoneName } from '@repo/topology';
import { framesOf } from '../event.ts';
import { type JsonObject, asArray, asNumber, asObject, asString, isObject } from '../json.ts';
import { type Html, html } from './html.ts';

/** The command that fixes missing maps, as the README and the build name it. */
const UPLOAD_COMMAND = 'npm run sourcemaps:upload';

/** How many files a notice names before it says "and N more". */
const NAMED_FILES = 5;

function frameData(frame: JsonObject): JsonObject | undefined {
  return asObject(frame.data);
}

/** Resolved from a source map by the inbox (not merely sent with context by an SDK). */
function isSymbolicated(frame: JsonObject): boolean {
  return frameData(frame)?.symbolicated === true;
}

/**
 * The team whose build a frame came from: the release of the artifact bundle that resolved it
 * (`shop@1.0.0` → `shop`). Undefined when the frame was not resolved or the release names no zone.
 */
function frameOwner(frame: JsonObject): string | undefined {
  const release = asString(frameData(frame)?.release);
  const name = release?.split('@')[0];
  return name !== undefined && isZoneName(name) ? name : undefined;
}

/** The frames as the SDK sent them, kept by ingest when at least one frame was resolved. */
function rawFramesOf(exception: JsonObject): JsonObject[] {
  return (asArray(asObject(exception.raw_stacktrace)?.frames) ?? []).filter(isObject);
}

interface CodeLine {
  readonly number: number | undefined;
  readonly text: string;
  readonly failing: boolean;
}

/** The frame's source context, numbered from its line number when it has one. */
function codeLines(frame: JsonObject): CodeLine[] {
  const line = asString(frame.context_line);
  if (line === undefined) return [];
  const lineNo = asNumber(frame.lineno);
  const strings = (value: unknown): string[] => (asArray(value) ?? []).filter((l): l is string => typeof l === 'string');
  const pre = strings(frame.pre_context);
  const post = strings(frame.post_context);
  const at = (offset: number): number | undefined => (lineNo === undefined ? undefined : lineNo + offset);
  return [
    ...pre.map((text, i) => ({ number: at(i - pre.length), text, failing: false })),
    { number: lineNo, text: line, failing: true },
    ...post.map((text, i) => ({ number: at(i + 1), text, failing: false })),
  ];
}

function snippet(frame: JsonObject): Html | '' {
  const lines = codeLines(frame);
  if (lines.length === 0) return '';
  return html`<div class="code"><table class="code"><tbody>${lines.map((line) =>
    line.failing
      ? html`<tr class="failing" data-testid="failing-line" aria-current="true"><td class="ln">${line.number ?? ''}</td><td><mark><code>${line.text}</code></mark></td></tr>`
      : html`<tr><td class="ln">${line.number ?? ''}</td><td><code>${line.text}</code></td></tr>`,
  )}</tbody></table></div>`;
}

function location(frame: JsonObject): string {
  const file = asString(frame.filename) ?? asString(frame.abs_path) ?? '?';
  const line = asNumber(frame.lineno);
  const column = asNumber(frame.colno);
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

function ownerLabel(frame: JsonObject): Html {
  const owner = frameOwner(frame);
  const release = asString(frameData(frame)?.release);
  return owner === undefined
    ? html`<span class="owner unknown" data-owner="unknown" title="No build of a known team resolved this frame">unknown</span>`
    : html`<span class="owner" data-owner="${owner}" title="${release ? `from ${release}` : ''}">${owner}</span>`;
}

function frameView(frame: JsonObject): Html {
  const inApp = frame.in_app === true;
  const resolved = isSymbolicated(frame);
  // Unresolved by the inbox, and not a dev build's readable module path either.
  const minified = frameData(frame)?.symbolicated === false && frameData(frame)?.resolved_with === undefined;
  const sourceMap = asString(frameData(frame)?.sourcemap);
  return html`<li class="frame" data-testid="frame" data-in-app="${String(inApp)}" data-symbolicated="${String(resolved)}">
    <div class="frame-head">
      <code class="fn">${asString(frame.function) ?? '?'}</code>
      <code class="where">${location(frame)}</code>
      ${minified ? html`<span class="tag minified">minified</span>` : ''}
      ${ownerLabel(frame)}
    </div>
    ${snippet(frame)}
    ${resolved && sourceMap ? html`<div class="muted small">mapped by ${sourceMap}</div>` : ''}
  </li>`;
}

function frameList(frames: readonly JsonObject[]): Html {
  return html`<ol class="frames">${frames.map(frameView)}</ol>`;
}

function rawFrames(exception: JsonObject): Html | '' {
  const raw = rawFramesOf(exception).reverse();
  if (raw.length === 0) return '';
  return html`<details class="raw" data-testid="raw-frames"><summary>Raw frames as sent (${raw.length}, minified)</summary>
    <table data-raw-stacktrace><thead><tr><th>Function</th><th>Location</th></tr></thead><tbody>${raw.map(
      (frame) => html`<tr><td><code>${asString(frame.function) ?? '?'}</code></td><td><code>${location(frame)}</code></td></tr>`,
    )}</tbody></table>
  </details>`;
}

/** One exception's frames: crash frame on top, in-app first, the rest collapsed, raw on demand. */
export function stackTrace(exception: JsonObject): Html {
  // Crash frame on top.
  const frames = framesOf(exception).reverse();
  if (frames.length === 0) return html`<p class="muted">No stack trace.</p>`;
  const inApp = frames.filter((frame) => frame.in_app === true);
  const other = frames.filter((frame) => frame.in_app !== true);
  // With no in-app frame there is nothing to put first: hiding every frame would hide the trace.
  const trace =
    inApp.length === 0
      ? frameList(other)
      : html`${frameList(inApp)}${
          other.length === 0
            ? ''
            : html`<details class="system" data-testid="system-frames">
                <summary>${other.length} system and library ${other.length === 1 ? 'frame' : 'frames'}</summary>
                ${frameList(other)}
              </details>`
        }`;
  return html`<div class="stacktrace" data-stacktrace>${trace}${rawFrames(exception)}</div>`;
}

/* ---------------------------------------------------------------- why frames were not resolved */

interface ProcessingError {
  readonly type: string;
  /** What the error is about: the file, URL or map, else the debug ID; with the reason when one is given. */
  readonly subject: string | undefined;
}

/** The event's `errors` (Sentry's processing errors), as far as they say anything. */
function processingErrors(event: JsonObject): ProcessingError[] {
  return (asArray(event.errors) ?? []).filter(isObject).flatMap((error) => {
    const type = asString(error.type);
    if (type === undefined) return [];
    const about =
      asString(error.abs_path) ?? asString(error.url) ?? asString(error.source) ?? asString(error.name) ?? asString(error.debug_id);
    const reason = asString(error.value);
    const subject = about === undefined ? reason : reason === undefined ? about : `${about} (${reason})`;
    return [{ type, subject }];
  });
}

function files(errors: readonly ProcessingError[]): string {
  const subjects = [...new Set(errors.flatMap((error) => (error.subject === undefined ? [] : [error.subject])))];
  if (subjects.length === 0) return 'some frames';
  const named = subjects.slice(0, NAMED_FILES).join(', ');
  return subjects.length > NAMED_FILES ? `${named} and ${subjects.length - NAMED_FILES} more` : named;
}

const upload = html`<code>${UPLOAD_COMMAND}</code>`;

/** What each of Sentry's JS processing errors means to the owner, and what to do about it. */
const KINDS: readonly { readonly types: readonly string[]; readonly say: (what: string) => Html }[] = [
  {
    types: ['js_no_source', 'js_missing_source'],
    say: (what) => html`Source maps missing for ${what}: run ${upload}, then send the error again.`,
  },
  {
    types: ['js_invalid_source', 'js_invalid_sourcemap'],
    say: (what) => html`Source map unreadable for ${what}: rebuild and run ${upload} again.`,
  },
  {
    types: ['js_no_column', 'js_invalid_sourcemap_location'],
    say: (what) =>
      html`Positions not found in their source map for ${what}: the uploaded map is likely from another build; rebuild and run ${upload}.`,
  },
  {
    types: ['js_missing_sources_content'],
    say: (what) => html`No source code in the map of ${what}: frames show file and line, but no code.`,
  },
];

/** Says plainly why frames were not resolved and what fixes it; '' when nothing went wrong. */
export function symbolicationNotice(event: JsonObject): Html | '' {
  const errors = processingErrors(event);
  if (errors.length === 0) return '';
  const known = KINDS.flatMap((kind) => {
    const matching = errors.filter((error) => kind.types.includes(error.type));
    return matching.length === 0 ? [] : [html`<p>${kind.say(files(matching))}</p>`];
  });
  const other = errors.filter((error) => !KINDS.some((kind) => kind.types.includes(error.type)));
  const types = [...new Set(other.map((error) => error.type))].join(', ');
  return html`<div class="notice" role="note" data-testid="symbolication-errors">${known}${
    other.length === 0 ? '' : html`<p>Some frames could not be resolved (${types}) for ${files(other)}.</p>`
  }</div>`;
}
