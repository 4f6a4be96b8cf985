import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type JsonObject, asArray, asObject } from '../json.ts';
import { createDevFrameResolver, zoneDevOrigins } from './dev-frames.ts';

/**
 * A stand-in for a zone's `next dev`: answers `POST /__nextjs_original-stack-frames` the way
 * Next 15's dev server does (settled results; a frame whose module it did not compile comes back
 * as asked, without a code frame), for the modules it is given.
 */
function devServer(modules: Readonly<Record<string, { file: string; shift: number; source: string[] }>>): Promise<{ origin: string; server: Server; asked: JsonObject[] }> {
  const asked: JsonObject[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const parsed = JSON.parse(body) as JsonObject;
      asked.push(parsed);
      const frames = (asArray(parsed.frames) ?? []) as { file: string; line1: number; column1: number; methodName: string }[];
      const answers = frames.map((frame) => {
        const module = modules[frame.file];
        if (!module) return { status: 'fulfilled', value: { originalStackFrame: { ...frame, ignored: false }, originalCodeFrame: null } };
        const line1 = frame.line1 - module.shift;
        const codeFrame = module.source
          .map((text, i) => `${i + 1 === line1 ? '\u001b[31m>\u001b[39m' : ' '} ${String(i + 1).padStart(2)} |${text === '' ? '' : ` ${text}`}`)
          .slice(Math.max(0, line1 - 3), line1 + 3)
          .join('\n');
        return {
          status: 'fulfilled',
          value: {
            originalStackFrame: { file: module.file, line1, column1: 5, methodName: frame.methodName, arguments: [], ignored: false },
            originalCodeFrame: codeFrame,
          },
        };
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answers));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, asked })),
  );
}

const SOURCE = ['function a() {', '  const x = 1;', '', '  if (x) {', '    throw new Error("dev");', '  }', '}', ''];

function frame(file: string, lineno: number, fn = 'a'): JsonObject {
  return { filename: file, abs_path: file, function: fn, lineno, colno: 11, in_app: true };
}

function framesOf(event: JsonObject): JsonObject[] {
  return (asArray(asObject(asObject(asArray(asObject(event.exception)?.values)?.[0])?.stacktrace)?.frames) ?? []) as JsonObject[];
}

describe('dev-mode frames, resolved by the dev servers', () => {
  let shop: Awaited<ReturnType<typeof devServer>>;
  let home: Awaited<ReturnType<typeof devServer>>;
  before(async () => {
    shop = await devServer({ 'webpack-internal:///./src/exposed/Broken.tsx': { file: 'src/exposed/Broken.tsx', shift: 2, source: SOURCE } });
    home = await devServer({
      'webpack-internal:///(pages-dir-browser)/../../packages/host/src/Slot.tsx': { file: '../../packages/host/src/Slot.tsx', shift: 0, source: SOURCE },
    });
  });
  after(() => {
    shop.server.close();
    home.server.close();
  });

  it('asks each server in turn for the frames still unresolved, and takes the original line and code', async () => {
    const resolve = createDevFrameResolver({ origins: () => [shop.origin, home.origin] });
    const frames = [
      frame('webpack-internal:///(pages-dir-browser)/../../packages/host/src/Slot.tsx', 5, 'Slot'),
      frame('<anonymous>', 1, 'Suspense'),
      frame('webpack-internal:///./src/exposed/Broken.tsx', 7, 'Broken'),
    ];
    const event = { platform: 'javascript', exception: { values: [{ type: 'Error', stacktrace: { frames } }] } };
    const out = await resolve(event, 'shop');
    assert.deepEqual(
      framesOf(out).map((f) => [f.filename, f.lineno, f.colno, f.function, f.context_line, asObject(f.data)?.resolved_with]),
      [
        ['packages/host/src/Slot.tsx', 5, 5, 'Slot', '    throw new Error("dev");', 'next-dev-server'],
        ['<anonymous>', 1, 11, 'Suspense', undefined, undefined],
        ['src/exposed/Broken.tsx', 5, 5, 'Broken', '    throw new Error("dev");', 'next-dev-server'],
      ],
    );
    const top = framesOf(out)[2];
    // Babel's code frame: two lines above, three below.
    assert.deepEqual(top?.pre_context, ['', '  if (x) {']);
    assert.deepEqual(top?.post_context, ['  }', '}', '']);
    assert.equal(asObject(top?.data)?.dev_server, shop.origin);
    assert.deepEqual(asObject(asArray(asObject(out.exception)?.values)?.[0])?.raw_stacktrace, { frames });
    // Shop was asked for both module frames as Next's overlay asks; home only for the one shop did not know.
    assert.deepEqual(shop.asked.at(-1), {
      frames: [
        { file: frames[0]?.filename, methodName: 'Slot', line1: 5, column1: 11, arguments: [] },
        { file: frames[2]?.filename, methodName: 'Broken', line1: 7, column1: 11, arguments: [] },
      ],
      isServer: false,
      isEdgeServer: false,
      isAppDirectory: false,
    });
    assert.deepEqual((asArray(home.asked.at(-1)?.frames) as JsonObject[]).map((f) => f.file), [frames[0]?.filename]);
  });

  it('asks nothing for an event without dev module frames, and leaves frames as they were when no server answers', async () => {
    const before = shop.asked.length;
    const resolve = createDevFrameResolver({ origins: () => [shop.origin], timeoutMs: 500 });
    const production = { exception: { values: [{ stacktrace: { frames: [frame('app:///_next/static/chunks/main.js', 1)] } }] } };
    assert.equal(await resolve(production, 'shop'), production);
    assert.equal(shop.asked.length, before);

    const down = createDevFrameResolver({ origins: () => ['http://127.0.0.1:9'], timeoutMs: 500 });
    const dev = { exception: { values: [{ stacktrace: { frames: [frame('webpack-internal:///./src/exposed/Broken.tsx', 7)] } }] } };
    assert.equal(await down(dev, 'shop'), dev);
  });

  it("orders the zones' dev servers owner first, then the zone it happened in", () => {
    const origins = zoneDevOrigins({ tags: { zone: 'checkout' } }, 'shop');
    assert.equal(origins.length, 3);
    assert.match(origins[0] ?? '', /:3001$/);
    assert.match(origins[1] ?? '', /:3002$/);
    assert.match(origins[2] ?? '', /:3000$/);
  });
});
