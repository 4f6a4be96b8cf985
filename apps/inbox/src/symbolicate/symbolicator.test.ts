import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ArtifactLookup } from '../artifacts/lookup.ts';
import { type JsonObject, asArray, asObject } from '../json.ts';
import { cleanUp } from '../testing.ts';
import { createSymbolicator } from './symbolicator.ts';
import { type Build, type BuiltFile, SOURCES, THROW_LINE, buildFixture, chunkUrl, lookupOf, throwingEvent } from './testing.ts';

function framesOf(event: JsonObject): JsonObject[] {
  const exception = asObject(asArray(asObject(event.exception)?.values)?.[0]);
  return (asArray(asObject(exception?.stacktrace)?.frames) ?? []) as JsonObject[];
}

function rawFramesOf(event: JsonObject): unknown {
  const exception = asObject(asArray(asObject(event.exception)?.values)?.[0]);
  return asObject(exception?.raw_stacktrace)?.frames;
}

function sourceLine(path: string, line: number): string {
  return (SOURCES[path] ?? '').split('\n')[line - 1] ?? '';
}

describe('symbolicator, on a real webpack build with debug IDs from sentry-cli', () => {
  let build: Build;
  let file: BuiltFile;

  before(async () => {
    build = await buildFixture();
    const [first] = build.files;
    if (!first) throw new Error('the build wrote no file');
    file = first;
  });
  after(cleanUp);

  it('resolves each frame to its original file, line, column, function and code', () => {
    const event = throwingEvent(file);
    const symbolicate = createSymbolicator(lookupOf(build.files, ['shop']));
    const out = symbolicate(event, 'shop');
    const frames = framesOf(out);
    assert.deepEqual(
      frames.map((f) => [f.filename, f.abs_path, f.lineno, f.in_app]),
      [
        ['src/index.js', 'webpack:///./src/index.js', 6, true],
        ['node_modules/tiny-lib/index.js', 'webpack:///./node_modules/tiny-lib/index.js', 4, false],
        ['src/price.js', 'webpack:///./src/price.js', THROW_LINE, true],
      ],
    );
    const top = frames.at(-1) ?? {};
    assert.equal(top.context_line, '    throw new RangeError(`negative price: ${detail}`);');
    assert.deepEqual(top.pre_context, [1, 2, 3, 4, 5].map((n) => sourceLine('src/price.js', n)));
    assert.deepEqual(top.post_context, [7, 8, 9, 10].map((n) => sourceLine('src/price.js', n)));
    for (const frame of frames) {
      const line = sourceLine(String(frame.filename), Number(frame.lineno));
      assert.equal(frame.context_line, line);
      assert.ok(typeof frame.colno === 'number' && frame.colno >= 1 && frame.colno <= line.length, `colno ${String(frame.colno)} in "${line}"`);
    }
    // Each frame is named after the original function around it (minified: t, r, a one-letter name).
    assert.deepEqual(
      frames.map((f) => f.function),
      ['renderAll', 'callEach', 'renderPrice'],
    );
    assert.deepEqual(top.data, {
      sourcemap: `~/${file.name}.map`,
      resolved_with: 'debug-id',
      symbolicated: true,
      release: 'shop@1.0.0',
    });
    assert.deepEqual(rawFramesOf(out), framesOf(event));
    assert.equal(out.errors, undefined);
    // The event given is left as it was.
    assert.equal(framesOf(event).at(-1)?.filename, chunkUrl(file));
  });

  it("without the minified file, names a function after its caller's call site", () => {
    const event = throwingEvent(file);
    const mapsOnly: ArtifactLookup = {
      find: (id, project) => {
        const artifact = lookupOf(build.files, ['shop']).find(id, project);
        return artifact && { ...artifact, minifiedSource: undefined };
      },
    };
    const frames = framesOf(createSymbolicator(mapsOnly)(event, 'shop'));
    // renderPrice is called by the library as `fn(item)`; nothing calls the outermost frame.
    assert.deepEqual(
      frames.map((f) => f.function),
      [framesOf(event)[0]?.function, 'callEach', 'fn'],
    );
  });

  it('uses a debug ID the frame carries itself', () => {
    const event = throwingEvent(file);
    const frames = framesOf(event).map((f) => ({ ...f, debug_id: file.debugId.toUpperCase() }));
    const out = createSymbolicator(lookupOf(build.files, ['shop']))(
      { ...event, debug_meta: undefined, exception: { values: [{ type: 'RangeError', stacktrace: { frames } }] } },
      'shop',
    );
    assert.equal(framesOf(out).at(-1)?.filename, 'src/price.js');
    assert.equal(framesOf(out).at(-1)?.debug_id, undefined);
  });

  it("keeps the frames raw and says why when the project has no bundle for the debug ID", () => {
    const event = throwingEvent(file);
    const out = createSymbolicator(lookupOf(build.files, ['home']))(event, 'shop');
    assert.deepEqual(framesOf(out), framesOf(event));
    assert.equal(rawFramesOf(out), undefined);
    assert.deepEqual(out.errors, [{ type: 'js_no_source', url: chunkUrl(file), debug_id: file.debugId }]);
  });

  it('keeps the frames raw and says why when the map is broken, without throwing', () => {
    const event = throwingEvent(file);
    for (const [text, reason] of [
      ['{"version":3,"sources":', /does not parse/],
      ['[1,2]', /not a JSON object/],
      ['{"version":3,"sources":7,"mappings":";;;"}', /./],
    ] as const) {
      const broken = lookupOf([{ ...file, map: text }], ['shop']);
      const out = createSymbolicator(broken)(event, 'shop');
      assert.deepEqual(framesOf(out), framesOf(event), text);
      const errors = (asArray(out.errors) ?? []) as JsonObject[];
      assert.equal(errors.length, 1, text);
      assert.equal(errors[0]?.type, 'js_invalid_source');
      assert.equal(errors[0]?.url, `~/${file.name}.map`);
      assert.match(String(errors[0]?.value), reason);
    }
  });

  it('resolves positions without code when the map has no sourcesContent, and says so', () => {
    const event = throwingEvent(file);
    const bare = JSON.parse(file.map) as Record<string, unknown>;
    delete bare.sourcesContent;
    const out = createSymbolicator(lookupOf([{ ...file, map: JSON.stringify(bare) }], ['shop']))(event, 'shop');
    const top = framesOf(out).at(-1);
    assert.deepEqual([top?.filename, top?.lineno, top?.context_line], ['src/price.js', THROW_LINE, undefined]);
    assert.deepEqual(
      (asArray(out.errors) as JsonObject[]).map((e) => [e.type, e.source]),
      [
        ['js_missing_sources_content', 'webpack:///./src/index.js'],
        ['js_missing_sources_content', 'webpack:///./node_modules/tiny-lib/index.js'],
        ['js_missing_sources_content', 'webpack:///./src/price.js'],
      ],
    );
  });

  it('keeps a frame raw when its position is outside the map', () => {
    const event = throwingEvent(file);
    const frames = framesOf(event).map((f) => ({ ...f, lineno: 1, colno: 1 }));
    const out = createSymbolicator(lookupOf(build.files, ['shop']))(
      { ...event, exception: { values: [{ stacktrace: { frames } }] } },
      'shop',
    );
    assert.deepEqual(framesOf(out), frames);
    assert.deepEqual(out.errors, [{ type: 'js_invalid_sourcemap_location', url: chunkUrl(file), row: 1, column: 1 }]);
  });

  it('never throws on frames and images of any shape', () => {
    const symbolicate = createSymbolicator(lookupOf(build.files, ['shop']));
    const url = chunkUrl(file);
    const odd: JsonObject[] = [
      {},
      { exception: 'x' },
      { exception: { values: [null, 1, { stacktrace: { frames: 'no' } }] } },
      {
        debug_meta: { images: [null, { type: 'sourcemap', code_file: url, debug_id: file.debugId }, { type: 'sourcemap' }] },
        exception: {
          values: [
            {
              stacktrace: {
                frames: [null, 7, { abs_path: url }, { abs_path: url, lineno: '3', colno: 2 }, { abs_path: url, lineno: -4, colno: 2 }, { abs_path: url, lineno: 3, colno: Infinity }],
              },
            },
          ],
        },
      },
    ];
    for (const event of odd) assert.doesNotThrow(() => symbolicate(event, 'shop'), JSON.stringify(event));
    assert.equal(symbolicate(odd[0] ?? {}, 'shop'), odd[0], 'an event with nothing to resolve is returned as it is');
  });

  it('keeps a bounded number of parsed maps', () => {
    let parses = 0;
    const artifacts = ['a', 'b', 'c'].map((id) => {
      const artifact = lookupOf([{ ...file, debugId: id }], ['shop']).find(id, 'shop');
      if (!artifact) throw new Error('no artifact');
      return {
        ...artifact,
        sourceMap: {
          url: artifact.sourceMap.url,
          get text() {
            parses += 1;
            return file.map;
          },
        },
      };
    });
    const lookup: ArtifactLookup = { find: (id) => artifacts.find((a) => a.debugId === id) };
    const symbolicate = createSymbolicator(lookup, { cache: { maxMaps: 2 } });
    const event = throwingEvent(file);
    const withId = (id: string): JsonObject => ({ ...event, debug_meta: { images: [{ type: 'sourcemap', code_file: chunkUrl(file), debug_id: id }] } });
    for (let round = 0; round < 3; round++) for (const id of ['a', 'b']) symbolicate(withId(id), 'shop');
    assert.equal(parses, 2, 'two maps fit: each parsed once');
    parses = 0;
    const cycling = createSymbolicator(lookup, { cache: { maxMaps: 2 } });
    for (let round = 0; round < 2; round++) for (const id of ['a', 'b', 'c']) cycling(withId(id), 'shop');
    assert.equal(parses, 6, 'three maps in turn through a cache of two: each use parses again');
    assert.equal(framesOf(cycling(withId('c'), 'shop')).at(-1)?.filename, 'src/price.js');
  });
});

describe('symbolicator, dev-mode frames', () => {
  it("gives webpack's dev modules their file name and marks libraries out of the app", () => {
    const symbolicate = createSymbolicator({ find: () => undefined });
    const frames = [
      { filename: 'webpack-internal:///../../node_modules/react-dom/cjs/react-dom-client.development.js', function: 'renderWithHooks', lineno: 8030, colno: 22, in_app: true },
      { filename: 'webpack-internal:///(pages-dir-browser)/../../packages/host/src/remote/RemoteSlot.tsx', function: 'RemoteSlot', lineno: 47, colno: 11, in_app: true },
      { filename: '<anonymous>', function: 'Suspense', in_app: true },
      { filename: 'webpack-internal:///./src/exposed/BrokenComponent.tsx', function: 'BrokenComponent', lineno: 28, colno: 15, in_app: true },
    ];
    const out = symbolicate({ exception: { values: [{ stacktrace: { frames } }] } }, 'shop');
    assert.deepEqual(
      framesOf(out).map((f) => [f.filename, f.abs_path, f.lineno, f.in_app, asObject(f.data)?.symbolicated]),
      [
        ['node_modules/react-dom/cjs/react-dom-client.development.js', frames[0]?.filename, 8030, false, false],
        ['packages/host/src/remote/RemoteSlot.tsx', frames[1]?.filename, 47, true, false],
        ['<anonymous>', undefined, undefined, true, false],
        ['src/exposed/BrokenComponent.tsx', frames[3]?.filename, 28, true, false],
      ],
    );
    assert.deepEqual(rawFramesOf(out), frames);
    assert.equal(out.errors, undefined);
  });
});
