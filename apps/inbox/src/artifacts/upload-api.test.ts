import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { INBOX_ORG } from '@repo/topology';
import { type Running, cleanUp, detail, requestWithHost, start, tempDir } from '../testing.ts';
import { CHUNK_SIZE, MAX_BUNDLE_ENTRIES, MAX_CHUNK_REQUEST_BYTES } from './limits.ts';
import {
  AUTH,
  DEBUG_ID,
  TOKEN,
  assemble,
  bundleFiles,
  makeZip,
  orgUrl,
  postChunks,
  sha1,
  uploadZip,
} from './testing.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const SENTRY_CLI = join(dirname(require.resolve('@sentry/cli/package.json')), 'bin', 'sentry-cli');

/** The real sentry-cli from npm, with nothing of this machine's Sentry settings. */
async function sentryCli(args: readonly string[], cwd: string): Promise<string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('SENTRY_')) env[key] = value;
  const { stdout, stderr } = await run(process.execPath, [SENTRY_CLI, ...args], {
    cwd,
    env: { ...env, HOME: cwd, SENTRY_DISABLE_UPDATE_CHECK: '1', SENTRY_LOAD_DOTENV: '0' },
  });
  return stdout + stderr;
}

/** A minified file and its map, as a bundler would leave them, then given debug IDs by sentry-cli. */
async function injectedBuild(dir: string): Promise<{ dist: string; js: string; map: string; debugId: string }> {
  const dist = join(dir, 'dist');
  await mkdir(dist);
  await writeFile(join(dist, 'app.min.js'), 'function f(){throw new Error("boom")}f();\n//# sourceMappingURL=app.min.js.map\n');
  await writeFile(
    join(dist, 'app.min.js.map'),
    JSON.stringify({
      version: 3,
      file: 'app.min.js',
      sources: ['src/app.js'],
      sourcesContent: ['function f() {\n  throw new Error("boom");\n}\nf();\n'],
      names: ['f', 'Error'],
      mappings: 'AAAA,SAASA,IACP,MAAM,IAAIC,MAAM',
    }),
  );
  await sentryCli(['sourcemaps', 'inject', dist], dir);
  const js = await readFile(join(dist, 'app.min.js'), 'utf8');
  const map = await readFile(join(dist, 'app.min.js.map'), 'utf8');
  const debugId = /\/\/# debugId=([0-9a-f-]+)/.exec(js)?.[1];
  assert.ok(debugId, `sentry-cli gave the file a debug ID:\n${js}`);
  return { dist, js, map, debugId };
}

function upload(inbox: Running, dist: string, cwd: string, projects: readonly string[]): Promise<string> {
  const projectArgs = projects.flatMap((project) => ['--project', project]);
  return sentryCli(
    ['--url', inbox.url, '--auth-token', TOKEN, 'sourcemaps', 'upload', '--org', INBOX_ORG, ...projectArgs, '--release', 'shop@1.0.0', dist],
    cwd,
  );
}

/** Nothing was kept: no bundle, no chunk, no file under artifacts/bundles. */
async function assertNothingKept(inbox: Running): Promise<void> {
  assert.equal(inbox.inbox.artifacts.bundleCount, 0);
  assert.equal(inbox.inbox.artifacts.pendingChunks, 0);
  assert.deepEqual(await readdir(join(inbox.dir, 'artifacts', 'bundles')), []);
  assert.equal(inbox.inbox.artifacts.find(DEBUG_ID, 'shop'), undefined);
}

afterEach(cleanUp);

describe('sentry-cli sourcemaps upload to the inbox', () => {
  it('keeps the bundle for each --project, adds projects on a second upload, and keeps them across a restart', async () => {
    const dir = await tempDir('inbox-sentry-cli-');
    const build = await injectedBuild(dir);
    const first = await start();

    const output = await upload(first, build.dist, dir, ['home', 'shop']);
    assert.match(output, new RegExp(`debug id ${build.debugId}`));
    for (const project of ['home', 'shop']) {
      const found = first.inbox.artifacts.find(build.debugId, project);
      assert.ok(found, project);
      assert.equal(found.debugId, build.debugId);
      assert.equal(found.release, 'shop@1.0.0');
      assert.equal(found.sourceMap.url, '~/app.min.js.map');
      assert.equal(found.sourceMap.text, build.map);
      assert.equal(found.minifiedSource?.url, '~/app.min.js');
      assert.equal(found.minifiedSource?.text, build.js);
      assert.match(found.bundleId, /^[0-9a-f]{40}$/);
    }
    assert.equal(first.inbox.artifacts.find(build.debugId, 'checkout'), undefined);
    // Upper case and without dashes: the same ID.
    assert.ok(first.inbox.artifacts.find(build.debugId.toUpperCase().replaceAll('-', ''), 'home'));

    await upload(first, build.dist, dir, ['checkout']);
    assert.equal(first.inbox.artifacts.find(build.debugId, 'checkout')?.sourceMap.text, build.map);
    assert.equal(first.inbox.artifacts.bundleCount, 1, 'the same bundle, now also for checkout');
    assert.equal(first.inbox.artifacts.pendingChunks, 0);

    await first.inbox.close();
    const second = await start({ dataDir: first.dir });
    for (const project of ['home', 'shop', 'checkout']) {
      assert.equal(second.inbox.artifacts.find(build.debugId, project)?.sourceMap.text, build.map, project);
    }
    assert.equal(second.inbox.artifacts.find(build.debugId, 'home')?.minifiedSource?.text, build.js);
  });

  it('fails, saying why, with a wrong token, and keeps nothing', async () => {
    const dir = await tempDir('inbox-sentry-cli-');
    const build = await injectedBuild(dir);
    const inbox = await start({ uploadToken: `sntryu_${'a'.repeat(64)}` });
    await assert.rejects(upload(inbox, build.dist, dir, ['shop']), (error: Error & { stderr?: string }) => {
      assert.match(String(error.stderr), /401|upload token/);
      return true;
    });
    assert.equal(inbox.inbox.artifacts.find(build.debugId, 'shop'), undefined);
    assert.equal(inbox.inbox.artifacts.bundleCount, 0);
  });
});

describe('chunk-upload options', () => {
  it("answer with the inbox's own origin, its limits, uncached", async () => {
    const inbox = await start();
    const response = await fetch(orgUrl(inbox.url, 'chunk-upload/'), { headers: AUTH });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), {
      url: `${inbox.url}/api/0/organizations/${INBOX_ORG}/chunk-upload/`,
      chunkSize: CHUNK_SIZE,
      chunksPerRequest: 4,
      maxRequestSize: 32 * 1024 * 1024,
      maxFileSize: 256 * 1024 * 1024,
      concurrency: 1,
      hashAlgorithm: 'sha1',
      compression: ['gzip'],
      accept: ['artifact_bundles', 'artifact_bundles_v2'],
    });
    const viaLocalhost = await requestWithHost(orgUrl(inbox.url, 'chunk-upload/'), `localhost:${inbox.inbox.port}`, { headers: AUTH });
    assert.equal((JSON.parse(viaLocalhost.body) as { url: string }).url, `http://localhost:${inbox.inbox.port}/api/0/organizations/local/chunk-upload/`);
  });

  it('refuse without the token, with a wrong one, for another org, from a page, and under a foreign Host', async () => {
    const inbox = await start();
    const url = orgUrl(inbox.url, 'chunk-upload/');
    const none = await fetch(url);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="inbox"');
    assert.match(await detail(none), /upload token/);
    const wrong = await fetch(url, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.match(await detail(wrong), /not the inbox's upload token/);
    const readToken = await start({ readToken: 'read-secret' });
    const withReadToken = await fetch(orgUrl(readToken.url, 'chunk-upload/'), { headers: { authorization: 'Bearer read-secret' } });
    assert.equal(withReadToken.status, 401, 'the read token is not the upload token');
    const otherOrg = await fetch(orgUrl(inbox.url, 'chunk-upload/', 'acme'), { headers: AUTH });
    assert.equal(otherOrg.status, 404);
    assert.match(await detail(otherOrg), /"acme".*"local"/);
    const page = await fetch(url, { headers: { ...AUTH, origin: 'http://localhost:3000' } });
    assert.equal(page.status, 403);
    assert.equal(page.headers.get('access-control-allow-origin'), null);
    const rebound = await requestWithHost(url, 'evil.test', { headers: AUTH });
    assert.equal(rebound.status, 421);
  });
});

describe('chunk upload', () => {
  it('refuses a chunk not named by its sha1, keeping none of the request', async () => {
    const inbox = await start();
    const good = Buffer.from('good chunk');
    const response = await postChunks(inbox.url, [{ data: good }, { data: Buffer.from('bad chunk'), name: sha1(good) }]);
    assert.equal(response.status, 400);
    assert.match(await detail(response), /its content has sha1 [0-9a-f]{40}; a chunk is named by its sha1/);
    const notHex = await postChunks(inbox.url, [{ data: good, name: 'chunk.bin' }]);
    assert.equal(notHex.status, 400);
    assert.match(await detail(notHex), /must be its sha1/);
    await assertNothingKept(inbox);
  });

  it('refuses a gzip part that expands past the chunk size, and a body that is not gzip', async () => {
    const inbox = await start();
    const huge = Buffer.alloc(CHUNK_SIZE + 1);
    const bomb = await postChunks(inbox.url, [{ data: huge, gzip: gzipSync(huge) }]);
    assert.equal(bomb.status, 413);
    assert.match(await detail(bomb), /expands past the chunk size/);
    const notGzip = await postChunks(inbox.url, [{ data: Buffer.from('x'), gzip: Buffer.from('x') }]);
    assert.equal(notGzip.status, 400);
    assert.match(await detail(notGzip), /not gzip/);
    const json = await fetch(orgUrl(inbox.url, 'chunk-upload/'), { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 400);
    await assertNothingKept(inbox);
  });

  it('refuses a request larger than its limit with 413', async () => {
    const inbox = await start();
    const data = Buffer.alloc(MAX_CHUNK_REQUEST_BYTES + 1, 1);
    const response = await fetch(orgUrl(inbox.url, 'chunk-upload/'), {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'multipart/form-data; boundary=x' },
      body: data,
    });
    assert.equal(response.status, 413);
    assert.match(await detail(response), new RegExp(`larger than ${MAX_CHUNK_REQUEST_BYTES} bytes`));
    await assertNothingKept(inbox);
  });

  it('refuses without the token before reading anything', async () => {
    const inbox = await start();
    const response = await postChunks(inbox.url, [{ data: Buffer.from('a chunk') }], {});
    assert.equal(response.status, 401);
    await assertNothingKept(inbox);
  });
});

describe('artifact bundle assemble', () => {
  it('names the missing chunks, then assembles a bundle of several chunks in order', async () => {
    const inbox = await start();
    const zip = makeZip(bundleFiles());
    const parts = [zip.subarray(0, 100), zip.subarray(100, 200), zip.subarray(200)];
    const body = { checksum: sha1(zip), chunks: parts.map((part) => sha1(part)), projects: ['shop'], version: 'shop@1.0.0' };
    assert.deepEqual((await assemble(inbox.url, body)).body, { state: 'not_found', missingChunks: body.chunks, detail: null });
    assert.equal((await postChunks(inbox.url, [{ data: parts[2] ?? Buffer.alloc(0) }])).status, 200);
    assert.deepEqual((await assemble(inbox.url, body)).body.missingChunks, body.chunks.slice(0, 2));
    assert.equal((await postChunks(inbox.url, parts.slice(0, 2).map((data) => ({ data })))).status, 200);
    assert.deepEqual((await assemble(inbox.url, body)).body, { state: 'ok', missingChunks: [], detail: null });
    const found = inbox.inbox.artifacts.find(DEBUG_ID, 'shop');
    assert.equal(found?.bundleId, sha1(zip));
    assert.equal(found.minifiedSource?.url, '~/a.js');
    assert.equal(inbox.inbox.artifacts.pendingChunks, 0, 'chunks are dropped once assembled');
  });

  it('finds the newest bundle of the project asked for', async () => {
    const inbox = await start();
    const older = makeZip(bundleFiles(DEBUG_ID, 'shop@1.0.0'));
    const newer = makeZip(bundleFiles(DEBUG_ID, 'shop@2.0.0'));
    assert.equal((await uploadZip(inbox.url, older, ['shop', 'home'])).state, 'ok');
    assert.equal((await uploadZip(inbox.url, newer, ['shop'])).state, 'ok');
    assert.equal(inbox.inbox.artifacts.find(DEBUG_ID, 'shop')?.release, 'shop@2.0.0');
    assert.equal(inbox.inbox.artifacts.find(DEBUG_ID, 'home')?.release, 'shop@1.0.0');
    assert.equal(inbox.inbox.artifacts.find(DEBUG_ID, 'checkout'), undefined);
  });

  it('keeps one copy of the same build uploaded again under another checksum, for the projects of both uploads', async () => {
    const inbox = await start();
    const files = bundleFiles();
    const first = makeZip(files);
    // Other bytes (entry order, as another zip run's timestamps would), same manifest debug_id and release.
    const again = makeZip([...files].reverse());
    assert.notEqual(sha1(first), sha1(again));
    assert.equal((await uploadZip(inbox.url, first, ['shop'])).state, 'ok');
    assert.equal((await uploadZip(inbox.url, again, ['checkout'])).state, 'ok');
    assert.equal(inbox.inbox.artifacts.bundleCount, 1);
    assert.deepEqual(inbox.inbox.artifacts.projectsOf(sha1(first)), ['checkout', 'shop']);
    assert.deepEqual(await readdir(join(inbox.dir, 'artifacts', 'bundles')), [`${sha1(first)}.zip`]);
    assert.equal(inbox.inbox.artifacts.pendingChunks, 0);
  });

  it('reads a bundle whose file is gone from disk as missing, without throwing', async () => {
    const inbox = await start();
    const zip = makeZip(bundleFiles());
    assert.equal((await uploadZip(inbox.url, zip, ['shop'])).state, 'ok');
    await rm(join(inbox.dir, 'artifacts', 'bundles', `${sha1(zip)}.zip`));
    assert.equal(inbox.inbox.artifacts.find(DEBUG_ID, 'shop'), undefined);
  });

  const refusals: readonly [string, () => Buffer, RegExp][] = [
    ['not a zip', () => Buffer.from('this is not a zip archive, only text'), /not a zip archive/],
    ['a zip without manifest.json', () => makeZip([{ name: 'a.js', data: Buffer.from('a') }]), /no manifest\.json/],
    [
      'a zip whose entry declares a huge size',
      () => makeZip([...bundleFiles(), { name: 'bomb', data: Buffer.alloc(1000), declaredSize: 0xfffffff0 }]),
      /declares 4294967280 bytes/,
    ],
    [
      'a zip whose entry expands past the size it declares',
      () => makeZip([...bundleFiles(), { name: 'bomb', data: Buffer.alloc(10 * 1024 * 1024), declaredSize: 1000 }]),
      /bomb: expands past its declared 1000 bytes/,
    ],
    [
      'a zip that expands more than the ratio allows',
      () => makeZip([...bundleFiles(), { name: 'bomb', data: Buffer.alloc(32 * 1024 * 1024) }]),
      /bomb: expands \d+ times/,
    ],
    [
      'a zip with too many entries',
      () => makeZip([...bundleFiles(), ...Array.from({ length: MAX_BUNDLE_ENTRIES }, (_, i) => ({ name: `e${i}`, data: Buffer.alloc(0), method: 0 as const }))]),
      /too many entries: 10003/,
    ],
    [
      'a zip with a damaged entry',
      () => {
        const zip = makeZip(bundleFiles());
        // Flip a byte of the first entry's deflated data.
        zip[45] = (zip[45] ?? 0) ^ 0xff;
        return zip;
      },
      /manifest\.json: (CRC mismatch|not valid deflate data|holds \d+ bytes)/,
    ],
    ['a bundle without debug IDs', () => makeZip([{ name: 'manifest.json', data: Buffer.from('{"files":{}}') }]), /no source map with a debug ID/],
    [
      'a manifest naming a file the zip lacks',
      () => makeZip([{ name: 'manifest.json', data: Buffer.from('{"files":{"x.js":{"type":"minified_source","url":"~/x.js"}}}') }]),
      /lists x\.js, which the archive lacks/,
    ],
  ];
  for (const [what, zip, reason] of refusals) {
    it(`refuses ${what}, saying why, and keeps nothing`, async () => {
      const inbox = await start();
      const answer = await uploadZip(inbox.url, zip());
      assert.equal(answer.state, 'error', JSON.stringify(answer));
      assert.match(String(answer.detail), reason);
      await assertNothingKept(inbox);
    });
  }

  it('refuses chunks whose concatenation does not have the checksum', async () => {
    const inbox = await start();
    const zip = makeZip(bundleFiles());
    const other = Buffer.concat([zip, Buffer.from('tail')]);
    assert.equal((await postChunks(inbox.url, [{ data: zip }])).status, 200);
    const answer = await assemble(inbox.url, { checksum: sha1(other), chunks: [sha1(zip)], projects: ['shop'] });
    assert.equal(answer.body.state, 'error');
    assert.match(String(answer.body.detail), /Checksum mismatch/);
    await assertNothingKept(inbox);
  });

  it('refuses unknown projects, bad fields and no token with a reason', async () => {
    const inbox = await start();
    const zip = makeZip(bundleFiles());
    const body = { checksum: sha1(zip), chunks: [sha1(zip)], projects: ['shop', 'billing'] };
    const unknown = await assemble(inbox.url, body);
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body.detail), /Unknown project "billing"/);
    const noProjects = await assemble(inbox.url, { ...body, projects: [] });
    assert.equal(noProjects.status, 400);
    const badChecksum = await assemble(inbox.url, { ...body, checksum: 'abc', projects: ['shop'] });
    assert.equal(badChecksum.status, 400);
    assert.match(String(badChecksum.body.detail), /checksum/);
    const noToken = await assemble(inbox.url, { ...body, projects: ['shop'] }, {});
    assert.equal(noToken.status, 401);
    const get = await fetch(orgUrl(inbox.url, 'artifactbundle/assemble/'), { headers: AUTH });
    assert.equal(get.status, 405);
    await assertNothingKept(inbox);
  });

  it('keeps a stored bundle readable with stored (method 0) entries, as the JS CLI writes them', async () => {
    const inbox = await start();
    const zip = makeZip(bundleFiles().map((file) => ({ ...file, method: 0 as const })));
    assert.equal((await uploadZip(inbox.url, zip, ['home'])).state, 'ok');
    assert.match(inbox.inbox.artifacts.find(DEBUG_ID, 'home')?.sourceMap.text ?? '', /"mappings":"AAAA"/);
  });
});
