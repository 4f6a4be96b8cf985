import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayName, isLibrarySource } from './paths.ts';

describe('source names', () => {
  it("drops the bundler's scheme, namespace or dev layer and the relative steps", () => {
    const names: [string, string][] = [
      ['webpack://shop/./src/exposed/BrokenComponent.tsx', 'src/exposed/BrokenComponent.tsx'],
      ['webpack:///./src/price.js', 'src/price.js'],
      ['webpack:///src/price.js', 'src/price.js'],
      ['webpack://_N_E/../../packages/host/src/ZoneWidget.tsx', 'packages/host/src/ZoneWidget.tsx'],
      ['webpack://_N_E/../../node_modules/react-dom/cjs/react-dom-client.production.js', 'node_modules/react-dom/cjs/react-dom-client.production.js'],
      ['webpack://shop/webpack/runtime/jsonp chunk loading', 'webpack/runtime/jsonp chunk loading'],
      ['webpack-internal:///(pages-dir-browser)/./src/pages/index.tsx', 'src/pages/index.tsx'],
      ['webpack-internal:///./src/exposed/BrokenComponent.tsx', 'src/exposed/BrokenComponent.tsx'],
      ['src/already/plain.ts', 'src/already/plain.ts'],
      ['app:///_next/static/chunks/main.js', 'app:///_next/static/chunks/main.js'],
      ['webpack://shop/./', 'webpack://shop/./'],
    ];
    assert.deepEqual(
      names.map(([source]) => [source, displayName(source)]),
      names,
    );
  });

  it("tells libraries and webpack's runtime from the application", () => {
    for (const name of ['node_modules/react/index.js', 'x/node_modules/y.js', 'webpack/bootstrap', 'webpack/runtime/jsonp chunk loading', '(webpack)/buildin/global.js', 'external "react"']) {
      assert.equal(isLibrarySource(name), true, name);
    }
    for (const name of ['src/price.js', 'packages/host/src/ZoneWidget.tsx', 'src/webpack/config.ts']) {
      assert.equal(isLibrarySource(name), false, name);
    }
  });
});
