import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@repo/testkit/ports';
import { DEFAULT_INBOX_UPLOAD_TOKEN } from '@repo/topology';
import { afterProductionBuild, uploadWhenInboxUp } from './after-build.ts';
import { prepareBuild } from './prepare.ts';
import { readRecord } from './record.ts';
import { fakeBuild } from './testing.ts';
import { uploadBuilds } from './upload.ts';

interface Assemble {
  readonly authorization: string | undefined;
  readonly body: { projects: string[]; version?: string; chunks: string[] };
}

/**
 * The part of Sentry's upload API sentry-cli needs to decide what to send: chunk-upload options,
 * and an assemble that already knows every chunk (so it ends there). Records each assemble.
 */
async function fakeUploadApi(): Promise<{ server: Server; port: number; assembles: Assemble[] }> {
  const assembles: Assemble[] = [];
  const read = async (request: IncomingMessage) => {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    return text;
  };
  const server = createServer((request, response) => {
    void (async () => {
      const url = request.url ?? '';
      const json = (value: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (url === '/healthz') return json({ ok: true });
      if (request.method === 'GET' && url.endsWith('/chunk-upload/')) {
        return json({ url: `http://localhost:${(server.address() as AddressInfo).port}${url}`, chunkSize: 8388608, chunksPerRequest: 64, maxFileSize: 2147483648, maxRequestSize: 33554432, concurrency: 1, hashAlgorithm: 'sha1', compression: ['gzip'], accept: ['artifact_bundles'] });
      }
      if (request.method === 'POST' && url.endsWith('/artifactbundle/assemble/')) {
        assembles.push({ authorization: request.headers.authorization, body: JSON.parse(await read(request)) as Assemble['body'] });
        return json({ state: 'ok', missingChunks: [], detail: null });
      }
      response.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return { server, port: (server.address() as AddressInfo).port, assembles };
}

describe('uploadBuilds', () => {
  let api: Awaited<ReturnType<typeof fakeUploadApi>>;
  before(async () => (api = await fakeUploadApi()));
  after(() => api.server.close());

  it("sends a build's maps with sentry-cli, as its release, to every project that can hold its frames", async () => {
    const dist = fakeBuild();
    await prepareBuild(dist, { zone: 'shop', release: 'shop@1.1.0' });
    const build = readRecord(dist);
    assert.ok(build);
    const lines: string[] = [];
    api.assembles.length = 0;
    await uploadBuilds([build], { env: { INBOX_PORT: String(api.port) }, log: (line) => lines.push(line), cwd: dist });
    // sentry-cli asks once which chunks are missing, and again to assemble: the same request.
    assert.ok(api.assembles.length >= 1);
    assert.ok(api.assembles.every((assemble) => JSON.stringify(assemble) === JSON.stringify(api.assembles[0])));
    assert.deepEqual(api.assembles[0]?.body.projects, ['shop', 'home', 'checkout']);
    assert.equal(api.assembles[0]?.body.version, 'shop@1.1.0');
    assert.equal(api.assembles[0]?.authorization, `Bearer ${DEFAULT_INBOX_UPLOAD_TOKEN}`);
    assert.deepEqual(lines, [`sourcemaps: shop@1.1.0 (.) → http://localhost:${api.port} local/{shop,home,checkout}: 4 maps`]);
  });

  it('uploads a fresh build when the local inbox is up', async () => {
    const lines: string[] = [];
    api.assembles.length = 0;
    await afterProductionBuild(fakeBuild(), { zone: 'shop', release: 'shop@1.0.0' }, { INBOX_PORT: String(api.port) }, (line) => lines.push(line));
    assert.deepEqual(api.assembles[0]?.body.projects, ['shop', 'home', 'checkout']);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[1] ?? '', /^sourcemaps: shop@1\.0\.0 .* local\/\{shop,home,checkout\}: 4 maps$/);
  });

  it('uploads the build a server starts with once the inbox answers, and skips a build that recorded nothing', async () => {
    const dist = fakeBuild();
    const lines: string[] = [];
    const env = { INBOX_PORT: String(api.port) };
    await uploadWhenInboxUp(dist, 5, env, (line) => lines.push(line));
    assert.equal(lines.length, 0, 'not prepared: nothing to upload');
    await prepareBuild(dist, { zone: 'checkout', release: 'checkout@1.0.0' });
    api.assembles.length = 0;
    await uploadWhenInboxUp(dist, 5, env, (line) => lines.push(line));
    assert.deepEqual(api.assembles[0]?.body.projects, ['checkout', 'shop']);
    assert.equal(lines.length, 1);
  });
});

describe('afterProductionBuild', () => {
  it('says in one line that the inbox is down, and the build goes on prepared', async () => {
    const port = await freePort();
    const dist = fakeBuild();
    const lines: string[] = [];
    await afterProductionBuild(dist, { zone: 'shop', release: 'shop@1.0.0' }, { INBOX_PORT: String(port) }, (line) => lines.push(line));
    assert.deepEqual(lines.slice(1), [`sourcemaps: the inbox at http://localhost:${port} is not up; \`npm run sourcemaps:upload\` sends shop@1.0.0's maps there later`]);
    assert.equal(readRecord(dist)?.release, 'shop@1.0.0');
  });

  it('leaves the upload to the deployment when the target is real Sentry', async () => {
    const lines: string[] = [];
    await afterProductionBuild(fakeBuild(), { zone: 'shop', release: 'shop@1.0.0' }, { SENTRY_URL: 'http://127.0.0.1:9' }, (line) => lines.push(line));
    assert.match(lines[1] ?? '', /not uploaded by the build \(SENTRY_URL is set\)/);
  });
});
