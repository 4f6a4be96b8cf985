import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { entryUrl, isValidVersion, releaseName, versionOf } from './index.ts';
import {
  createRegistryReader,
  liveLocation,
  moveLive,
  parseRegistry,
  readRegistry,
  RegistryError,
} from './registry.ts';
import { openRegistryStore, registerRelease as registerIn } from './store.ts';

const registerRelease = (file: string, ...rest: Parameters<typeof registerIn> extends [unknown, ...infer R] ? R : never) =>
  registerIn(openRegistryStore(file), ...rest);

const dir = mkdtempSync(join(tmpdir(), 'registry-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `registry-${++files}.json`);

describe('release names', () => {
  it('names releases <owner>@<version>, and unknown without a version', async () => {
    assert.equal(releaseName({ remote: 'shop', version: '1.1.0' }), 'shop@1.1.0');
    assert.equal(releaseName({ remote: 'shop', version: null }), 'shop@unknown');
    assert.equal(versionOf('shop', 'shop@1.0.0'), '1.0.0');
    assert.equal(versionOf('shop', '1.0.0'), '1.0.0');
  });

  it('serves each runtime its own entry at the release origin', async () => {
    assert.equal(entryUrl({ origin: 'http://localhost:3011' }, 'browser'), 'http://localhost:3011/_next/static/chunks/remoteEntry.js');
    assert.equal(entryUrl({ origin: 'http://localhost:3011' }, 'server'), 'http://localhost:3011/_next/static/ssr/remoteEntry.js');
  });

  it('refuses versions that could leave their directory or break a URL', async () => {
    for (const good of ['1.0.0', '1.1.0-broken', '2.0.0+build.7']) assert.ok(isValidVersion(good), good);
    for (const bad of ['', '../x', '1..0', 'a/b', '-1', '1 0', 'x'.repeat(65)]) assert.ok(!isValidVersion(bad), bad);
  });
});

describe('registry', () => {
  it('starts empty when the file does not exist', async () => {
    assert.deepEqual(readRegistry(freshFile()), {});
  });

  it('makes the first release live on first start, later ones only when asked', async () => {
    const file = freshFile();
    await registerRelease(file, 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    await registerRelease(file, 'shop', '1.1.0', 'http://localhost:3011', { live: 'if-none', by: 'start' });
    assert.deepEqual(liveLocation(readRegistry(file), 'shop'), { remote: 'shop', version: '1.0.0', origin: 'http://localhost:3001' });
    const move = moveLive(file, 'shop', '1.1.0', 'deploy');
    assert.deepEqual([move.from, move.to, move.by], ['1.0.0', '1.1.0', 'deploy']);
    assert.equal(liveLocation(readRegistry(file), 'shop')?.origin, 'http://localhost:3011');
    moveLive(file, 'shop', '1.0.0', 'rollback');
    const shop = readRegistry(file).shop;
    assert.equal(shop?.live, '1.0.0');
    assert.deepEqual(
      shop?.moves.map((m) => `${m.from}→${m.to} ${m.by}`),
      ['null→1.0.0 start', '1.0.0→1.1.0 deploy', '1.1.0→1.0.0 rollback'],
    );
  });

  it('refuses to point at a release it does not know, and says which it knows', async () => {
    const file = freshFile();
    await registerRelease(file, 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    assert.throws(() => moveLive(file, 'shop', '9.9.9', 'rollback'), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.match(error.message, /shop@9\.9\.9 is not a registered release of shop \(registered: 1\.0\.0\)/);
      return true;
    });
    assert.equal(readRegistry(file).shop?.live, '1.0.0');
  });

  it('rejects malformed registries with a reason', async () => {
    const cases: [string, RegExp][] = [
      ['{', /is not JSON/],
      ['[]', /must hold an object of remotes/],
      ['{"home": {"releases": {}}}', /"home" is not a remote/],
      ['{"shop": {}}', /needs "releases"/],
      ['{"shop": {"releases": {"../x": {"origin": "http://a"}}}}', /not a valid version/],
      ['{"shop": {"releases": {"1.0.0": {"origin": "http://a/path"}}}}', /needs an "origin"/],
      ['{"shop": {"live": "2.0.0", "releases": {"1.0.0": {"origin": "http://a"}}}}', /live release "2.0.0" is not one of its releases/],
    ];
    for (const [text, reason] of cases) assert.throws(() => parseRegistry(text), reason, text);
  });

  it('reader: re-reads only when the file changed, and keeps the last good registry over a bad one', async () => {
    const file = freshFile();
    const logged: string[] = [];
    const read = createRegistryReader(file, (m) => logged.push(m));
    assert.deepEqual(read(), {});
    await registerRelease(file, 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    const first = read();
    assert.equal(first.shop?.live, '1.0.0');
    assert.equal(read(), first, 'unchanged file: the same object, no parse');
    writeFileSync(file, '{ half a registry');
    assert.equal(read().shop?.live, '1.0.0');
    assert.equal(logged.length, 1);
    assert.match(logged[0] ?? '', /keeping the last good registry/);
    // Writers refuse a registry they cannot read rather than overwrite it.
    await assert.rejects(registerRelease(file, 'shop', '1.1.0', 'http://localhost:3011', { live: 'never', by: 'start' }), /is not JSON/);
  });

  it('writes whole files only, ending in a newline', async () => {
    const file = freshFile();
    await registerRelease(file, 'shop', '1.0.0', 'http://localhost:3001', { live: 'always', by: 'test' });
    assert.doesNotThrow(() => JSON.parse(readFileSync(file, 'utf8')));
    assert.equal(readFileSync(file, 'utf8').endsWith('\n'), true);
  });
});
