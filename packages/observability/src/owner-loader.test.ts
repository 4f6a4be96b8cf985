import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

interface RawMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
}
type Loader = (this: unknown, source: string, map?: RawMap | string) => void;

const ownerLoader = createRequire(import.meta.url)('./owner-loader.cjs') as Loader;

function load(source: string, map?: RawMap | string): { code: string; map: RawMap | undefined } {
  let result: { code: string; map: RawMap | undefined } | undefined;
  ownerLoader.call(
    {
      getOptions: () => ({ owner: 'shop', release: 'shop@1.0.0' }),
      callback: (error: unknown, code: string, out?: RawMap) => {
        if (error) throw error;
        result = { code, map: out };
      },
    },
    source,
    map,
  );
  if (!result) throw new Error('the loader did not call back');
  return result;
}

describe('owner-loader', () => {
  // Two lines of a module and the map SWC gives them: generated line 1 ↔ original 1, 2 ↔ 2.
  const source = 'const price = -1;\nthrow new Error(`bad ${price}`);\n';
  const map: RawMap = { version: 3, sources: ['src/price.ts'], names: [], mappings: 'AAAA;AACA' };

  it('stamps the module with its owner and release', () => {
    const { code } = load(source, map);
    assert.match(code, /shop@1\.0\.0/);
    assert.ok(code.endsWith(source));
  });

  it('moves the map down by the lines the stamp takes, so the throw still maps to its own line', () => {
    for (const given of [map, JSON.stringify(map)]) {
      const out = load(source, given);
      const throwLine = out.code.split('\n').indexOf('throw new Error(`bad ${price}`);');
      assert.ok(throwLine > 0);
      assert.equal(out.map?.mappings.split(';')[throwLine], 'AACA');
      assert.deepEqual(out.map?.sources, map.sources);
    }
  });

  it('passes no map on when it was given none', () => {
    assert.equal(load(source).map, undefined);
  });
});
