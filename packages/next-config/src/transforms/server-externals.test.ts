import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { handleServerExternals } from '@module-federation/nextjs-mf/dist/src/plugins/NextFederationPlugin/apply-server-plugins.js';
import webpack, { type Configuration, type ExternalItemFunctionData } from 'webpack';
import { runWebpackHook } from '../testing.ts';
import { externalizeServerPackages, isServerExternal, withServerExternals } from './server-externals.ts';

const NODE_MODULES = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

describe('isServerExternal', () => {
  it("names Sentry's and OpenTelemetry's packages and the module hooks, nothing of the workspace or what federation shares", () => {
    for (const request of ['@sentry/nextjs', '@sentry/node', '@sentry/core/browser', '@opentelemetry/api', 'import-in-the-middle', 'require-in-the-middle']) {
      assert.ok(isServerExternal(request), request);
    }
    for (const request of ['@repo/observability/server', 'react', 'react-dom/server', 'next/link', '@sentryx/a', 'import-in-the-middle-not', './server']) {
      assert.ok(!isServerExternal(request), request);
    }
  });
});

describe('withServerExternals', () => {
  const nextExternals = () => undefined;

  it("appends its externals function after the server compiler's own, and leaves the browser and edge compilers alone", () => {
    const config = withServerExternals({
      webpack: (webpackConfig: Configuration) => ({ ...webpackConfig, externals: [nextExternals] }),
    });
    assert.deepEqual(runWebpackHook(config, 'server').externals, [nextExternals, externalizeServerPackages]);
    assert.deepEqual(runWebpackHook(config, 'client').externals, [nextExternals]);
    assert.deepEqual(runWebpackHook(config, 'edge').externals, [nextExternals]);
  });

  describe('in a webpack build whose externals nextjs-mf has wrapped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'server-externals-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'entry.js'), "export { trace } from '@opentelemetry/api';\nexport { createElement } from 'react';\nexport { local } from './local.js';\n");
    writeFileSync(join(dir, 'local.js'), "export const local = 'bundled';\n");

    /** Builds entry.js for Node with Next's externals (every package external), wrapped the way nextjs-mf wraps them. */
    async function build(externals: Configuration['externals'][]): Promise<string> {
      // Next's server externals for the pages: whatever is not a relative request comes from node_modules.
      const next = async ({ request }: ExternalItemFunctionData) => (request?.startsWith('.') ? undefined : `commonjs ${request}`);
      const compiler = webpack({
        mode: 'none',
        target: 'node',
        context: dir,
        entry: './entry.js',
        output: { path: join(dir, 'out'), library: { type: 'commonjs2' } },
        resolve: { modules: [NODE_MODULES] },
        externals: [next, ...externals] as Configuration['externals'],
      });
      handleServerExternals(compiler, { name: 'zone', shared: {} });
      await new Promise<void>((resolve, reject) =>
        compiler.run((error, stats) => (error || stats?.hasErrors() ? reject(error ?? new Error(stats?.toString())) : compiler.close(() => resolve()))),
      );
      return readFileSync(join(dir, 'out', 'main.js'), 'utf8');
    }

    it('nextjs-mf alone bundles what Next left external, except react', async () => {
      const output = await build([]);
      assert.match(output, /require\("react"\)/);
      assert.doesNotMatch(output, /require\("@opentelemetry\/api"\)/);
    });

    it('with this transform the server packages are required at run time again, and local code is still bundled', async () => {
      const output = await build([externalizeServerPackages]);
      assert.match(output, /require\("@opentelemetry\/api"\)/);
      assert.match(output, /require\("react"\)/);
      assert.match(output, /'bundled'/);
    });
  });
});
