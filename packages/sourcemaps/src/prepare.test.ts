import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { prepareBuild } from './prepare.ts';
import { findBuilds, readRecord } from './record.ts';
import { CODE, fakeBuild, write } from './testing.ts';

function debugIdOf(file: string): string | undefined {
  return /\/\/# debugId=([0-9a-f-]{36})\s*$/.exec(readFileSync(file, 'utf8'))?.[1];
}

function filesUnder(dir: string, suffix: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith(suffix)).sort();
}

describe('prepareBuild', () => {
  it('gives every JS file a debug ID, takes every map out of static/ and records the release', async () => {
    const dist = fakeBuild();
    const prepared = await prepareBuild(dist, { zone: 'shop', release: 'shop@1.0.0' });
    assert.deepEqual(prepared, { maps: 5, moved: 3 });

    for (const file of filesUnder(dist, '.js').filter((f) => !f.startsWith('sourcemaps/'))) {
      assert.ok(debugIdOf(join(dist, file)), `${file} has no debug ID`);
    }
    // The server chunk and both of nextjs-mf's copies are one file to Sentry: one ID.
    const id = debugIdOf(join(dist, 'server/chunks/42.js'));
    assert.equal(debugIdOf(join(dist, 'ssr/chunks/42.js')), id);
    assert.equal(debugIdOf(join(dist, 'static/ssr/chunks/42.js')), id);
    assert.equal((JSON.parse(readFileSync(join(dist, 'server/chunks/42.js.map'), 'utf8')) as { debugId: string }).debugId, id);

    // Nothing Next serves is a map; each moved map sits beside its JS, with the same debug ID.
    assert.deepEqual(filesUnder(join(dist, 'static'), '.map'), []);
    const moved = join(dist, 'sourcemaps', 'static');
    assert.deepEqual(filesUnder(moved, '.map'), [
      'chunks/__federation_expose_BrokenComponent-1a2b.js.map',
      'chunks/remoteEntry.js.map',
      'ssr/chunks/42.js.map',
    ]);
    for (const map of filesUnder(moved, '.map')) {
      const js = join(moved, map.slice(0, -4));
      assert.equal(readFileSync(js, 'utf8'), readFileSync(join(dist, 'static', map.slice(0, -4)), 'utf8'));
      assert.equal((JSON.parse(readFileSync(join(moved, map), 'utf8')) as { debugId: string }).debugId, debugIdOf(js));
    }
    assert.deepEqual(readRecord(dist), { zone: 'shop', release: 'shop@1.0.0', distDir: dist });
  });

  it('moves the code off line 1 and shifts the map with it', async () => {
    const dist = fakeBuild();
    await prepareBuild(dist, { zone: 'shop', release: 'shop@1.0.0' });
    const lines = readFileSync(join(dist, 'static/ssr/chunks/42.js'), 'utf8').split('\n');
    const codeLine = lines.findIndex((line) => line.includes('function f('));
    assert.ok(codeLine >= 1, 'the code starts on line 2 or later');
    assert.equal(lines[0], '"use strict";');
    const map = JSON.parse(readFileSync(join(dist, 'sourcemaps/static/ssr/chunks/42.js.map'), 'utf8')) as { mappings: string };
    assert.ok(map.mappings.startsWith(';'.repeat(codeLine)) && !map.mappings.startsWith(';'.repeat(codeLine + 1)), map.mappings);
  });

  it('can run again on its own output without changing an ID', async () => {
    const dist = fakeBuild();
    await prepareBuild(dist, { zone: 'shop', release: 'shop@1.0.0' });
    const before = readFileSync(join(dist, 'server/chunks/42.js'), 'utf8');
    const again = await prepareBuild(dist, { zone: 'shop', release: 'shop@1.0.0' });
    assert.equal(again.moved, 0);
    assert.equal(readFileSync(join(dist, 'server/chunks/42.js'), 'utf8'), before);
  });
});

describe('findBuilds', () => {
  it("finds each zone's build and shop's named releases by what they recorded, and nothing else", async () => {
    const apps = mkdtempSync(join(tmpdir(), 'sourcemaps-apps-'));
    const dirs = ['shop/.next', 'shop/.releases/1.1.0', 'checkout/.next', 'checkout/.next-control'];
    for (const dir of dirs) {
      write(join(apps, dir), 'server/chunks/1.js', CODE);
      write(join(apps, dir), 'BUILD_ID', 'x');
      await prepareBuild(join(apps, dir), { zone: dir.startsWith('shop') ? 'shop' : 'checkout', release: dir.includes('1.1.0') ? 'shop@1.1.0' : 'x@1.0.0' });
    }
    write(join(apps, 'home', '.next'), 'BUILD_ID', 'x'); // built before builds had maps: no record
    mkdirSync(join(apps, 'shop', '.releases', '1.2.0'), { recursive: true }); // not a build (no BUILD_ID)
    const found = findBuilds(apps);
    assert.deepEqual(found.unrecorded, [join(apps, 'home', '.next')]);
    assert.deepEqual(
      found.builds.map((build) => [build.zone, build.release, build.distDir.slice(apps.length + 1)]),
      [
        ['shop', 'x@1.0.0', 'shop/.next'],
        ['shop', 'shop@1.1.0', 'shop/.releases/1.1.0'],
        ['checkout', 'x@1.0.0', 'checkout/.next'],
      ],
    );
    assert.ok(!existsSync(join(apps, 'home', '.next', 'sourcemaps')));
  });
});
