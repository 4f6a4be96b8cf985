import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { readRegistry } from './registry.ts';
import { openRegistryStore, registerRelease } from './store.ts';

const BIN = fileURLToPath(new URL('../bin/releases.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'releases-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(registry: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, FEDERATION_REGISTRY: registry },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the release commands', () => {
  // Origins where nothing listens (port 2), so "does it answer" has a known answer: no.
  const registry = join(dir, 'registry.json');
  before(async () => {
    await registerRelease(openRegistryStore(registry), 'shop', '1.0.0', 'http://127.0.0.1:2', { live: 'if-none', by: 'test' });
    await registerRelease(openRegistryStore(registry), 'shop', '1.1.0', 'http://127.0.0.1:2', { live: 'always', by: 'test' });
  });

  it('lists releases, where they are served, whether they answer and which is live', () => {
    const { status, stdout } = cli(registry, 'list');
    assert.equal(status, 0);
    assert.match(stdout, /shop@1\.0\.0 {2}http:\/\/127\.0\.0\.1:2 {2}not answering\n/);
    assert.match(stdout, /shop@1\.1\.0 {2}http:\/\/127\.0\.0\.1:2 {2}not answering {2}← live/);
  });

  it('refuses to roll back to a release that does not answer, unless forced', () => {
    const refused = cli(registry, 'rollback', 'shop', 'shop@1.0.0');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /shop@1\.0\.0 at http:\/\/127\.0\.0\.1:2 does not answer.*--force/);
    assert.equal(readRegistry(registry).shop?.live, '1.1.0');

    const forced = cli(registry, 'rollback', 'shop', 'shop@1.0.0', '--force');
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /shop: live shop@1\.1\.0 → shop@1\.0\.0/);
    assert.equal(readRegistry(registry).shop?.live, '1.0.0');
    assert.equal(readRegistry(registry).shop?.moves.at(-1)?.by, 'rollback');
  });

  it('says how to use it when the arguments are wrong (exit 2), and changes nothing', () => {
    const wrong = [
      ['rollback', 'shop'],
      ['rollback', 'checkout', '1.0.0'],
      ['rollback', 'shop', '1.1.0', '--forse'],
      ['deploy', 'shop', '../up'],
      ['deploy', 'shop', '1.2.0', '--port'],
      ['deploy', 'shop', '1.2.0', '--port', 'http'],
      ['nonsense'],
    ];
    for (const args of wrong) {
      const { status, stderr } = cli(registry, ...args);
      assert.equal(status, 2, args.join(' '));
      assert.match(stderr, /^usage: /, args.join(' '));
    }
    assert.equal(readRegistry(registry).shop?.live, '1.0.0');
  });
});
