import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import webpack from 'webpack';
import ChunkCompositionPlugin, { CHUNK_COMPOSITION_FILE, packageGroupOf, type ChunkComposition } from './chunk-composition-plugin.ts';

/** A tiny app: its own module, and one module of each of two package groups. */
function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'chunk-composition-'));
  const files: Record<string, string> = {
    'src/index.js': "import react from 'react';\nimport sentry from '@sentry/core';\nconsole.log('the app', react, sentry);\n",
    'node_modules/react/index.js': "export default 'react '.repeat(40);\n",
    'node_modules/@sentry/core/index.js': "export default 'sentry '.repeat(80);\n",
  };
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  return root;
}

function build(root: string): Promise<void> {
  // Production mode concatenates the modules into one: the plugin must still tell them apart.
  const compiler = webpack({
    mode: 'production',
    context: root,
    entry: './src/index.js',
    output: { path: join(root, 'out'), filename: 'static/chunks/[name].js' },
    plugins: [new ChunkCompositionPlugin()],
  });
  return new Promise((resolve, reject) =>
    compiler.run((error, stats) => {
      compiler.close(() => {});
      if (error || stats?.hasErrors()) reject(error ?? new Error(stats?.toString()));
      else resolve();
    }),
  );
}

describe('ChunkCompositionPlugin', () => {
  it("writes, for each emitted script, how much of its modules' source comes from each package group", async () => {
    const root = fixture();
    await build(root);
    const composition = JSON.parse(readFileSync(join(root, 'out', CHUNK_COMPOSITION_FILE), 'utf8')) as ChunkComposition;
    // Keyed as the browser's URLs read after /_next/.
    const main = composition['static/chunks/main.js'];
    assert.ok(main, Object.keys(composition).join(', '));
    assert.ok((main.sentry ?? 0) > (main.react ?? 0), JSON.stringify(main));
    assert.ok((main.react ?? 0) > 0 && (main.other ?? 0) > 0, JSON.stringify(main));
    assert.equal(main.next, undefined);
  });

  it('groups modules by the package they come from', () => {
    assert.equal(packageGroupOf('/r/node_modules/@sentry/nextjs/build/esm/index.js'), 'sentry');
    assert.equal(packageGroupOf('/r/node_modules/@module-federation/runtime/dist/index.js'), 'federation');
    assert.equal(packageGroupOf('webpack/container/remote/shop/Header'), 'federation');
    assert.equal(packageGroupOf('/r/node_modules/react-dom/cjs/react-dom.production.js'), 'react');
    assert.equal(packageGroupOf('/r/node_modules/next/dist/client/index.js'), 'next');
    assert.equal(packageGroupOf('/r/apps/shop/src/exposed/Header.tsx'), 'remote');
    assert.equal(packageGroupOf('/r/apps/checkout/pages/index.tsx'), 'other');
  });
});
