import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runWritersAtOnce } from './fixtures/writers.ts';
import { liveLocation, readRegistry, RegistryError } from './registry.ts';
import { endCanary, moveLive, openRegistryStore, promoteCanary, registerRelease, startCanary } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'registry-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `registry-${++files}.json`);

describe('the registry in a file', () => {
  it('starts empty when the file does not exist', async () => {
    assert.deepEqual(readRegistry(freshFile()), {});
    assert.deepEqual(await openRegistryStore(freshFile()).read(), {});
  });

  it('makes the first release live on first start, later ones only when asked', async () => {
    const store = openRegistryStore(freshFile());
    await registerRelease(store, 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    await registerRelease(store, 'shop', '1.1.0', 'http://localhost:3011', { live: 'if-none', by: 'start' });
    assert.deepEqual(liveLocation(await store.read(), 'shop'), { remote: 'shop', version: '1.0.0', origin: 'http://localhost:3001' });
    const move = await moveLive(store, 'shop', '1.1.0', 'deploy');
    assert.deepEqual([move.from, move.to, move.by], ['1.0.0', '1.1.0', 'deploy']);
    assert.equal(liveLocation(readRegistry(store.location), 'shop')?.origin, 'http://localhost:3011');
    await moveLive(store, 'shop', '1.0.0', 'rollback');
    const shop = readRegistry(store.location).shop;
    assert.equal(shop?.live, '1.0.0');
    assert.deepEqual(
      shop?.moves.map((m) => `${m.from}→${m.to} ${m.by}`),
      ['null→1.0.0 start', '1.0.0→1.1.0 deploy', '1.1.0→1.0.0 rollback'],
    );
  });

  it('runs a canary through its life: start, raise, promote, and a second one ended by the guard', async () => {
    const store = openRegistryStore(freshFile());
    await registerRelease(store, 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    await registerRelease(store, 'shop', '1.2.0', 'http://localhost:3012', { live: 'if-none', by: 'start' });
    await registerRelease(store, 'shop', '1.3.0', 'http://localhost:3013', { live: 'if-none', by: 'start' });
    await startCanary(store, 'shop', '1.2.0', 10, 'canary');
    await startCanary(store, 'shop', 'shop@1.2.0', 50, 'canary');
    assert.deepEqual((await store.read()).shop?.canary?.percent, 50);
    await assert.rejects(promoteCanary(store, 'shop', 'promote', { onlyIf: '1.3.0' }), /canary is now shop@1\.2\.0, not shop@1\.3\.0: nothing promoted/);
    await promoteCanary(store, 'shop', 'promote', { onlyIf: 'shop@1.2.0' });
    await startCanary(store, 'shop', '1.3.0', 25, 'canary');
    assert.equal(await endCanary(store, 'shop', { by: 'guard', onlyIf: '1.2.0' }), null);
    const ended = await endCanary(store, 'shop', { by: 'guard', onlyIf: '1.3.0', reason: 'errored sessions', figures: { canary_failed: 9 } });
    assert.equal(ended?.kind, 'canary-end');
    const shop = (await store.read()).shop;
    assert.equal(shop?.live, '1.2.0');
    assert.equal(shop?.canary, null);
    assert.deepEqual(
      shop?.moves.map((m) => `${m.kind ?? 'live'} ${m.from}→${m.to} ${m.percent ?? ''} ${m.by}`),
      ['live null→1.0.0  start', 'canary 1.0.0→1.2.0 10 canary', 'canary 1.0.0→1.2.0 50 canary', 'promote 1.0.0→1.2.0 50 promote', 'canary 1.2.0→1.3.0 25 canary', 'canary-end 1.3.0→1.2.0 25 guard'],
    );
    assert.deepEqual(shop?.moves.at(-1)?.figures, { canary_failed: 9 });
  });

  it('refuses to point at a release it does not know, says which it knows, and writes nothing', async () => {
    const store = openRegistryStore(freshFile());
    await registerRelease(store, 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    const before = readFileSync(store.location, 'utf8');
    await assert.rejects(moveLive(store, 'shop', '9.9.9', 'rollback'), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.match(error.message, /shop@9\.9\.9 is not a registered release of shop \(registered: 1\.0\.0\)/);
      return true;
    });
    assert.equal(readFileSync(store.location, 'utf8'), before);
  });

  it('refuses to write over a registry it cannot read, naming the file', async () => {
    const file = freshFile();
    writeFileSync(file, '{ half a registry');
    await assert.rejects(
      registerRelease(openRegistryStore(file), 'shop', '1.1.0', 'http://localhost:3011', { live: 'never', by: 'start' }),
      new RegExp(`${file.replaceAll('.', '\\.')} is not JSON`),
    );
    assert.equal(readFileSync(file, 'utf8'), '{ half a registry');
  });

  it('writes whole files only, ending in a newline, and leaves no lock or temporary file behind', async () => {
    const store = openRegistryStore(join(dir, 'own', 'registry.json'));
    await registerRelease(store, 'shop', '1.0.0', 'http://localhost:3001', { live: 'always', by: 'test' });
    assert.doesNotThrow(() => JSON.parse(readFileSync(store.location, 'utf8')));
    assert.equal(readFileSync(store.location, 'utf8').endsWith('\n'), true);
    assert.deepEqual(readdirSync(join(dir, 'own')), ['registry.json']);
  });

  it('loses nothing when two processes write at the same moment', async () => {
    const file = freshFile();
    await runWritersAtOnce(file, ['a', 'b'], 40);
    const releases = Object.keys(readRegistry(file).shop?.releases ?? {});
    assert.equal(releases.length, 80, `registered: ${releases.join(' ')}`);
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it('breaks the lock of a writer that died, and of one that held it far too long', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const store = openRegistryStore(freshFile());
    writeFileSync(`${store.location}.lock`, `${dead.stdout}@${hostname()} deadbeef`);
    await registerRelease(store, 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    // A live process (this one) whose lock is older than any write takes: it hung, or its clock did.
    writeFileSync(`${store.location}.lock`, `${process.pid}@elsewhere deadbeef`);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(`${store.location}.lock`, longAgo, longAgo);
    await registerRelease(store, 'shop', '1.1.0', 'http://localhost:3011', { live: 'if-none', by: 'start' });
    assert.deepEqual(Object.keys(readRegistry(store.location).shop?.releases ?? {}), ['1.0.0', '1.1.0']);
    assert.equal(existsSync(`${store.location}.lock`), false);
  });
});
