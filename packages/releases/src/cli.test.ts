import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@repo/testkit/ports';
import { startRegistryServer, type RegistryServer } from './fixtures/registry-server.ts';
import { readRegistry } from './registry.ts';
import { DEFAULT_REGISTRY_TOKEN, endCanary, openRegistryStore, registerRelease, startCanary } from './store.ts';

const BIN = fileURLToPath(new URL('../bin/releases.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'releases-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command (async: the test's own servers must keep answering meanwhile). */
async function cli(registry: string, ...args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FEDERATION_REGISTRY: registry } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stdout, stderr };
}

/** Where nothing listens (port 2), so "does it answer" has a known answer: no. */
const DOWN = 'http://127.0.0.1:2';

describe('the release commands', () => {
  // A release that answers: any path, 200 (its browser entry is all the commands ask for).
  const release = createServer((_, response) => response.end('/* remoteEntry */'));
  let UP = '';
  let registry = '';
  before(async () => {
    release.listen(0, '127.0.0.1');
    await once(release, 'listening');
    UP = `http://127.0.0.1:${(release.address() as AddressInfo).port}`;
    registry = join(dir, 'registry.json');
    const store = openRegistryStore(registry);
    await registerRelease(store, 'shop', '1.0.0', DOWN, { live: 'if-none', by: 'test' });
    await registerRelease(store, 'shop', '1.1.0', DOWN, { live: 'always', by: 'test' });
    await registerRelease(store, 'shop', '1.2.0', UP, { live: 'never', by: 'test' });
  });
  after(() => release.close());

  it('lists releases, where they are served, whether they answer and which is live', async () => {
    const { status, stdout } = await cli(registry, 'list');
    assert.equal(status, 0);
    assert.match(stdout, /shop@1\.0\.0 {2}http:\/\/127\.0\.0\.1:2 {2}not answering\n/);
    assert.match(stdout, /shop@1\.1\.0 {2}http:\/\/127\.0\.0\.1:2 {2}not answering {2}← live/);
    assert.match(stdout, /shop@1\.2\.0 {2}http:\/\/127\.0\.0\.1:\d+ {2}serving\n/);
  });

  it('refuses to roll back to a release that does not answer, unless forced', async () => {
    const refused = await cli(registry, 'rollback', 'shop', 'shop@1.0.0');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /shop@1\.0\.0 at http:\/\/127\.0\.0\.1:2 does not answer.*--force/);
    assert.equal(readRegistry(registry).shop?.live, '1.1.0');

    const forced = await cli(registry, 'rollback', 'shop', 'shop@1.0.0', '--force');
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /shop: live shop@1\.1\.0 → shop@1\.0\.0/);
    assert.equal(readRegistry(registry).shop?.live, '1.0.0');
    assert.equal(readRegistry(registry).shop?.moves.at(-1)?.by, 'rollback');
  });

  it('starts a canary, raises its percent, lists it with its percent and start, and promotes it', async () => {
    const started = await cli(registry, 'canary', 'shop', 'shop@1.2.0', '--percent', '10');
    assert.equal(started.status, 0, started.stderr);
    assert.match(started.stdout, /shop: canary shop@1\.2\.0 for 10 % of visitors, the rest on shop@1\.0\.0/);
    const raised = await cli(registry, 'canary', 'shop', '1.2.0', '--percent=25');
    assert.equal(raised.status, 0, raised.stderr);
    const canary = readRegistry(registry).shop?.canary;
    assert.deepEqual([canary?.version, canary?.percent, canary?.by], ['1.2.0', 25, 'canary']);

    const { stdout } = await cli(registry, 'list');
    assert.match(stdout, new RegExp(`shop@1\\.2\\.0 {2}${UP} {2}serving {2}← canary 25 % since ${canary?.since.replaceAll('.', '\\.')} \\(by canary\\)`));
    assert.match(stdout, /shop: last 5 moves, newest last:\n/);
    assert.match(stdout, / {2}\S+ {2}canary 25 % {2}shop@1\.0\.0 → shop@1\.2\.0 {2}by canary\n$/);

    const promoted = await cli(registry, 'promote', 'shop');
    assert.equal(promoted.status, 0, promoted.stderr);
    assert.match(promoted.stdout, /shop: promoted shop@1\.2\.0 \(canary at 25 %\) to live, from shop@1\.0\.0/);
    assert.deepEqual([readRegistry(registry).shop?.live, readRegistry(registry).shop?.canary], ['1.2.0', null]);
    const again = await cli(registry, 'promote', 'shop');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /^error: shop has no canary to promote/);
  });

  it('refuses a canary of an unknown release, the live one, or one that does not answer unless forced', async () => {
    const refusals: [string[], RegExp][] = [
      [['shop', '9.9.9', '--percent', '5'], /shop@9\.9\.9 is not a registered release of shop \(registered: 1\.0\.0, 1\.1\.0, 1\.2\.0\)/],
      [['shop', '1.2.0', '--percent', '5'], /shop@1\.2\.0 is the live release already/],
      [['shop', '1.1.0', '--percent', '5'], /shop@1\.1\.0 at http:\/\/127\.0\.0\.1:2 does not answer; a canary of it would put its visitors on the fallback.*--force/],
    ];
    const answers = await Promise.all(refusals.map(([args]) => cli(registry, 'canary', ...args)));
    refusals.forEach(([args, reason], i) => {
      assert.equal(answers[i]?.status, 1, args.join(' '));
      assert.match(answers[i]?.stderr ?? '', reason, args.join(' '));
    });
    assert.equal(readRegistry(registry).shop?.canary, null);
    const forced = await cli(registry, 'canary', 'shop', '1.1.0', '--percent', '5', '--force');
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(readRegistry(registry).shop?.canary?.version, '1.1.0');
  });

  it('ends any canary when rolling back', async () => {
    assert.equal(readRegistry(registry).shop?.canary?.version, '1.1.0');
    const rolled = await cli(registry, 'rollback', 'shop', '1.2.0');
    assert.equal(rolled.status, 0, rolled.stderr);
    assert.match(rolled.stdout, /^shop: canary shop@1\.1\.0 \(5 %\) ended\n$/);
    assert.equal(readRegistry(registry).shop?.canary, null);
    assert.equal(readRegistry(registry).shop?.moves.at(-1)?.kind, 'canary-end');
  });

  it('shows a guard decision in the moves: who, why and the figures', async () => {
    const file = join(dir, 'guarded.json');
    const store = openRegistryStore(file);
    await registerRelease(store, 'shop', '1.0.0', DOWN, { live: 'if-none', by: 'test' });
    await registerRelease(store, 'shop', '1.1.0', DOWN, { live: 'never', by: 'test' });
    await startCanary(store, 'shop', '1.1.0', 25, 'canary');
    await endCanary(store, 'shop', { by: 'guard', reason: 'failed sessions 12/40 vs 0/118', figures: { canary_sessions: 40, canary_failed: 12 } });
    const { stdout } = await cli(file, 'list');
    assert.match(stdout, /canary-end 25 % {2}shop@1\.1\.0 → shop@1\.0\.0 {2}by guard: failed sessions 12\/40 vs 0\/118 \[canary_sessions=40 canary_failed=12\]\n$/);
  });

  it('says how to use it when the arguments are wrong (exit 2), and changes nothing', async () => {
    const before = readRegistry(registry);
    const wrong = [
      ['rollback', 'shop'],
      ['rollback', 'checkout', '1.0.0'],
      ['rollback', 'shop', '1.1.0', '--forse'],
      ['canary', 'shop', '1.1.0'],
      ['canary', 'shop', '--percent', '5'],
      ['canary', 'home', '1.1.0', '--percent', '5'],
      ['canary', 'shop', '1.1.0', '--percent', '101'],
      ['canary', 'shop', '1.1.0', '--percent', '2.5'],
      ['canary', 'shop', '1.1.0', '--percent=-1'],
      ['canary', 'shop', '1.1.0', '--percent', 'half'],
      ['promote'],
      ['promote', 'shop', '1.1.0'],
      ['deploy', 'shop', '../up'],
      ['deploy', 'shop', '1.2.0', '--port'],
      ['deploy', 'shop', '1.2.0', '--port', 'http'],
      ['deploy', 'shop', '1.2.0', '--canary', '150'],
      ['nonsense'],
    ];
    const answers = await Promise.all(wrong.map((args) => cli(registry, ...args)));
    wrong.forEach((args, i) => {
      assert.equal(answers[i]?.status, 2, args.join(' '));
      assert.match(answers[i]?.stderr ?? '', /^usage: /, args.join(' '));
    });
    assert.match(answers[wrong.findIndex((args) => args.includes('half'))]?.stderr ?? '', /--percent must be an integer from 0 to 100, not "half"/);
    assert.match(answers[wrong.findIndex((args) => args.includes('--canary'))]?.stderr ?? '', /--canary must be an integer from 0 to 100, not "150"/);
    assert.deepEqual(readRegistry(registry), before);
  });

  it('names the registry when it is malformed or cannot be reached', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"shop": {"live": "3.0.0", "releases": {}}}');
    const malformed = await cli(broken, 'canary', 'shop', '1.1.0', '--percent', '5');
    assert.equal(malformed.status, 1);
    assert.match(malformed.stderr, new RegExp(`^error: ${broken.replaceAll('.', '\\.')}: shop's live release "3\\.0\\.0" is not one of its releases`));
    const nowhere = `http://127.0.0.1:${await freePort()}/registry.json`;
    for (const args of [['list'], ['promote', 'shop'], ['rollback', 'shop', '1.0.0']]) {
      const unreachable = await cli(nowhere, ...args);
      assert.equal(unreachable.status, 1, args.join(' '));
      assert.match(unreachable.stderr, new RegExp(`^error: release registry ${nowhere} cannot be reached`), args.join(' '));
    }
  });
});

describe('the release commands on a registry URL', () => {
  let server: RegistryServer;
  before(async () => {
    server = await startRegistryServer(DEFAULT_REGISTRY_TOKEN);
    const store = openRegistryStore(server.url);
    await registerRelease(store, 'shop', '1.0.0', DOWN, { live: 'if-none', by: 'test' });
    await registerRelease(store, 'shop', '1.1.0', DOWN, { live: 'never', by: 'test' });
  });
  after(() => server.stop());

  it('moves the pointers through HTTP like in a file', async () => {
    const canary = await cli(server.url, 'canary', 'shop', '1.1.0', '--percent', '50', '--force');
    assert.equal(canary.status, 0, canary.stderr);
    const listed = await cli(server.url, 'list');
    assert.match(listed.stdout, new RegExp(`^registry: ${server.url}\n`));
    assert.match(listed.stdout, /shop@1\.1\.0 {2}http:\/\/127\.0\.0\.1:2 {2}not answering {2}← canary 50 %/);
    const promoted = await cli(server.url, 'promote', 'shop', '--force');
    assert.equal(promoted.status, 0, promoted.stderr);
    assert.equal(JSON.parse(server.text() ?? '{}').shop.live, '1.1.0');
  });
});
