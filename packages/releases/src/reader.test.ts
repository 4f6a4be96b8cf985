import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startRegistryServer, type RegistryServer } from './fixtures/registry-server.ts';
import type { Registry } from './model.ts';
import { createRegistryReader, DEFAULT_REGISTRY_TOKEN, moveLive, openRegistryStore, registerRelease, type RegistryReader } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'registry-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Reads until `done` holds: each `next()` is one more background read (bounded by the test's timeout). */
async function readUntil(read: RegistryReader, done: (registry: Registry) => boolean): Promise<Registry> {
  for (let registry = read(); ; registry = await read.next()) if (done(registry)) return registry;
}

describe('a server reading a registry file', () => {
  it('re-reads only when the file changed, and keeps the last good registry over a bad one, saying so once', async () => {
    const file = join(dir, 'registry.json');
    const logged: string[] = [];
    const read = createRegistryReader(file, (line) => logged.push(line));
    assert.deepEqual(read(), {});
    await registerRelease(openRegistryStore(file), 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    const first = read();
    assert.equal(first.shop?.live, '1.0.0');
    assert.equal(read(), first, 'unchanged file: the same object, no parse');
    writeFileSync(file, '{ half a registry');
    assert.equal(read().shop?.live, '1.0.0');
    assert.equal(read().shop?.live, '1.0.0');
    assert.equal(logged.length, 1);
    assert.match(logged[0] ?? '', /keeping the last good registry, .*registry\.json is not JSON/);
    await registerRelease(openRegistryStore(join(dir, 'other.json')), 'shop', '1.1.0', 'http://localhost:3011', { live: 'if-none', by: 'start' });
    rmSync(file);
    assert.deepEqual(read(), {}, 'a registry removed is an empty one');
    assert.match(logged[1] ?? '', /readable again/);
  });
});

describe('a server reading a registry URL', () => {
  let server: RegistryServer;
  let read: RegistryReader;
  const logged: string[] = [];
  before(async () => {
    server = await startRegistryServer(DEFAULT_REGISTRY_TOKEN);
    await registerRelease(openRegistryStore(server.url), 'shop', '1.0.0', 'http://localhost:3001', { live: 'if-none', by: 'start' });
    await registerRelease(openRegistryStore(server.url), 'shop', '1.1.0', 'http://localhost:3011', { live: 'never', by: 'start' });
    read = createRegistryReader(server.url, (line) => logged.push(line));
  });
  after(async () => {
    read.stop();
    await server.stop();
  });

  it('answers at once, empty until its first read, then the registry; later reads are conditional (304)', async () => {
    assert.deepEqual(read(), {}, 'the first call does not wait');
    const registry = await read.next();
    assert.equal(registry.shop?.live, '1.0.0');
    assert.equal(read(), registry);
    const full = server.counts.get('GET 200');
    await read.next();
    await read.next();
    assert.equal(server.counts.get('GET 200'), full, 'nothing changed: no body sent again');
    assert.ok((server.counts.get('GET 304') ?? 0) >= 2);
    assert.equal(read(), registry, 'the same object: nothing parsed again');
  });

  it('never keeps a server process alive by itself', { timeout: 10_000 }, async () => {
    const store = fileURLToPath(new URL('./store.ts', import.meta.url));
    const script = `const { createRegistryReader } = await import(${JSON.stringify(store)});
      const read = createRegistryReader(${JSON.stringify(server.url)}, () => {});
      read(); await read.next(); console.log(read().shop ? 'read' : 'empty');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 8_000, // a reader that keeps it alive fails the test instead of hanging the run
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = await once(child, 'exit');
    assert.deepEqual([code, stdout], [0, 'read\n'], 'it exits once its own work is done, polling or not');
  });

  it('follows a move of the pointer by itself', { timeout: 10_000 }, async () => {
    await moveLive(openRegistryStore(server.url), 'shop', '1.1.0', 'rollback');
    const started = Date.now();
    await readUntil(read, (registry) => registry.shop?.live === '1.1.0');
    // Reported, not asserted: timings belong to the benchmarks.
    console.log(`reader followed the move in ${Date.now() - started} ms`);
  });

  it('keeps the last good registry while the server is down, serves a broken one or none, saying so once, and once when it is back', { timeout: 10_000 }, async () => {
    logged.length = 0;
    const good = read();
    await server.stop();
    for (let i = 0; i < 4; i++) assert.equal(await read.next(), good);
    assert.equal(read(), good);
    assert.equal(logged.length, 1, logged.join('\n'));
    assert.match(logged[0] ?? '', new RegExp(`keeping the last good registry until ${server.url} answers again, .*cannot be reached`));
    await server.start();
    await readUntil(read, () => logged.length === 2);
    assert.match(logged[1] ?? '', new RegExp(`${server.url}: readable again`));

    const text = server.text();
    server.set('{"shop": "broken"');
    for (let i = 0; i < 3; i++) assert.equal(await read.next(), good);
    assert.equal(logged.length, 3, logged.join('\n'));
    assert.match(logged[2] ?? '', /is not JSON/);
    server.set(text);
    await readUntil(read, () => logged.length === 4);
    assert.match(logged[3] ?? '', /readable again/);
    server.set(null);
    await readUntil(read, () => logged.length === 5);
    assert.match(logged[4] ?? '', /keeping the last good registry until .* GET answered 404 Not Found/);
    assert.equal(read(), good);
    server.set(text);
    await readUntil(read, () => logged.length === 6);
    assert.equal(read().shop?.live, '1.1.0');
  });
});
