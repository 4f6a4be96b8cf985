/**
 * Helpers for the symbolicator's tests (not a test file itself): a real production webpack build
 * of a tiny app with hidden source maps, debug IDs injected by the real `sentry-cli sourcemaps
 * inject`, run in a VM under the URL a browser would report, and the event the SDK would send
 * for its error, built the way @sentry/core builds it (debug IDs from `_sentryDebugIds`).
 */

import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Script, createContext } from 'node:vm';
import { INBOX_ORG, inboxUploadToken } from '@repo/topology';
import webpack from 'webpack';
import type { ArtifactLookup, DebugIdArtifact } from '../artifacts/lookup.ts';
import { tempDir } from '../testing.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** The sentry-cli binary from npm (@sentry/cli). */
export function sentryCli(): string {
  return join(dirname(require.resolve('@sentry/cli/package.json')), 'bin', 'sentry-cli');
}

/**
 * Runs sentry-cli in `cwd` with none of this machine's Sentry settings (no SENTRY_* variables, a
 * HOME of its own, no .env, no update check).
 */
export async function runSentryCli(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): Promise<string> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SENTRY_')));
  const { stdout, stderr } = await run(sentryCli(), [...args], {
    cwd,
    env: { ...clean, HOME: cwd, SENTRY_DISABLE_UPDATE_CHECK: '1', SENTRY_LOAD_DOTENV: '0', SENTRY_LOG_LEVEL: 'error', ...env },
  });
  return stdout + stderr;
}

/** Uploads a build's files to the inbox at `url`, for `projects`, as `npm run sourcemaps:upload` does. */
export function uploadBuild(url: string, build: Build, projects: readonly string[], release = 'shop@1.0.0'): Promise<string> {
  return runSentryCli(
    ['--url', url, 'sourcemaps', 'upload', '--org', INBOX_ORG, ...projects.flatMap((p) => ['--project', p]), '--release', release, join(build.dir, 'dist')],
    build.dir,
    { SENTRY_AUTH_TOKEN: inboxUploadToken() },
  );
}

/** The app: a throwing function, its caller, and a library that calls back into the app. */
export const SOURCES: Readonly<Record<string, string>> = {
  'src/index.js': [
    "import { callEach } from 'tiny-lib';",
    "import { renderPrice } from './price.js';",
    '',
    '/** The entry: renders every price through the library. */',
    'export function renderAll(items) {',
    '  const labels = callEach(items, renderPrice);',
    "  return labels.join(', ');",
    '}',
    '',
  ].join('\n'),
  'src/price.js': [
    '/** Formats a price; a negative one is a bug upstream. */',
    'export function renderPrice(item) {',
    '  const cents = Math.round(item.price * 100);',
    '  if (cents < 0) {',
    '    const detail = `${item.sku} costs ${cents}`;',
    '    throw new RangeError(`negative price: ${detail}`);',
    '  }',
    '  return `${item.sku}: ${(cents / 100).toFixed(2)}`;',
    '}',
    '',
  ].join('\n'),
  'node_modules/tiny-lib/package.json': JSON.stringify({ name: 'tiny-lib', version: '1.0.0', main: 'index.js', sideEffects: false }),
  'node_modules/tiny-lib/index.js': [
    '/** Calls fn on each item, collecting the results. */',
    'export function callEach(items, fn) {',
    '  const out = [];',
    '  for (const item of items) out.push(fn(item));',
    '  return out;',
    '}',
    '',
  ].join('\n'),
};

/** The line of `throw` in src/price.js. */
export const THROW_LINE = 6;

export interface BuiltFile {
  /** The file's name in the output directory. */
  readonly name: string;
  readonly code: string;
  readonly map: string;
  readonly debugId: string;
}

export interface Build {
  readonly dir: string;
  readonly files: readonly BuiltFile[];
}

/**
 * Builds the app with webpack 5 (production, hidden source maps, one file per build named with
 * its content hash), `extra` added to src/index.js (to make a rebuild differ), then injects debug
 * IDs with sentry-cli.
 */
export async function buildFixture(extra = ''): Promise<Build> {
  const dir = await tempDir('inbox-symbolicate-');
  for (const [path, text] of Object.entries(SOURCES)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), path === 'src/index.js' ? text + extra : text);
  }
  const out = join(dir, 'dist');
  const compiler = webpack({
    mode: 'production',
    devtool: 'hidden-source-map',
    context: dir,
    entry: './src/index.js',
    target: 'node20',
    output: { path: out, filename: 'main.[contenthash:16].js', library: { type: 'commonjs2' } },
    infrastructureLogging: { level: 'error' },
  });
  await new Promise<void>((resolve, reject) =>
    compiler.run((error, stats) => {
      compiler.close(() => undefined);
      if (error) reject(error);
      else if (stats?.hasErrors()) reject(new Error(stats.toString('errors-only')));
      else resolve();
    }),
  );
  await runSentryCli(['sourcemaps', 'inject', out], dir);
  const files: BuiltFile[] = [];
  for (const name of (await readdir(out)).filter((n) => n.endsWith('.js'))) {
    const code = await readFile(join(out, name), 'utf8');
    const debugId = /\/\/# debugId=([0-9a-f-]+)/.exec(code)?.[1];
    if (!debugId) throw new Error(`sentry-cli injected no debug ID into ${name}`);
    files.push({ name, code, map: await readFile(join(out, `${name}.map`), 'utf8'), debugId });
  }
  return { dir, files };
}

/** What a browser would call the file. */
export function chunkUrl(file: BuiltFile): string {
  return `app:///_next/static/chunks/${file.name}`;
}

interface StackFrame {
  readonly function: string | undefined;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** V8's `at fn (file:line:col)` / `at file:line:col` lines, innermost first. */
function parseStack(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of stack.split('\n')) {
    const match = /^\s*at (?:(.*?) \()?(.+):(\d+):(\d+)\)?$/.exec(line);
    if (match?.[2] && match[3] && match[4]) {
      frames.push({ function: match[1], file: match[2], line: Number(match[3]), column: Number(match[4]) });
    }
  }
  return frames;
}

/**
 * Runs the built file under its URL, makes it throw, and returns the event the SDK would send:
 * frames outermost first as Sentry orders them, `debug_meta.images` from `_sentryDebugIds`.
 */
export function throwingEvent(file: BuiltFile, url = chunkUrl(file)): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const sandbox: Record<string, unknown> = { module, exports: module.exports };
  const context = createContext(sandbox);
  new Script(file.code, { filename: url }).runInContext(context);
  const renderAll = module.exports.renderAll as (items: unknown[]) => string;
  let error: { name: string; message: string; stack: string } | undefined;
  try {
    renderAll([{ sku: 'mug', price: 4 }, { sku: 'tea', price: -1 }]);
  } catch (thrown) {
    // An error of the VM's realm: not an instance of this realm's Error.
    error = thrown as typeof error;
  }
  if (typeof error?.stack !== 'string') throw new Error('the fixture did not throw');
  const frames = parseStack(error.stack)
    .filter((frame) => frame.file === url)
    .reverse()
    .map((frame) => ({
      filename: url,
      abs_path: url,
      function: frame.function ?? '?',
      lineno: frame.line,
      colno: frame.column,
      in_app: true,
    }));
  const images = Object.entries((sandbox._sentryDebugIds ?? {}) as Record<string, string>).map(([stack, debugId]) => ({
    type: 'sourcemap',
    code_file: parseStack(stack)[0]?.file,
    debug_id: debugId,
  }));
  return {
    event_id: 'f'.repeat(32),
    platform: 'javascript',
    exception: {
      values: [{ type: error.name, value: error.message, stacktrace: { frames } }],
    },
    debug_meta: { images },
  };
}

/** The artifacts as if uploaded to `projects` as one bundle of `release`. */
export function lookupOf(files: readonly BuiltFile[], projects: readonly string[], release = 'shop@1.0.0'): ArtifactLookup {
  const byId = new Map<string, DebugIdArtifact>(
    files.map((file) => [
      file.debugId,
      {
        debugId: file.debugId,
        bundleId: `bundle-${release}`,
        release,
        sourceMap: { url: `~/${file.name}.map`, text: file.map },
        minifiedSource: { url: `~/${file.name}`, text: file.code },
      },
    ]),
  );
  return { find: (debugId, project) => (projects.includes(project) ? byId.get(debugId) : undefined) };
}
