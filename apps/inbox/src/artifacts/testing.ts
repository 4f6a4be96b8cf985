/**
 * Helpers for the upload API's tests (not a test file itself): zip archives built byte by byte,
 * so a test can make the bundles sentry-cli would never send (bombs, lies about sizes), and a
 * client that uploads a bundle the way sentry-cli does.
 */

import { createHash } from 'node:crypto';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { DEFAULT_INBOX_UPLOAD_TOKEN, INBOX_ORG } from '@repo/topology';

export const TOKEN = DEFAULT_INBOX_UPLOAD_TOKEN;
export const AUTH: Readonly<Record<string, string>> = { authorization: `Bearer ${TOKEN}` };

export interface ZipFile {
  readonly name: string;
  readonly data: Buffer;
  /** Deflated (8) unless told stored (0). */
  readonly method?: 0 | 8;
  /** A size to declare instead of the data's (to lie, as a bomb does). */
  readonly declaredSize?: number;
}

/** A zip archive of these files, with a central directory, as any zip writer makes it. */
export function makeZip(files: readonly ZipFile[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const method = file.method ?? 8;
    const compressed = method === 8 ? deflateRawSync(file.data) : file.data;
    const name = Buffer.from(file.name, 'utf8');
    const size = file.declaredSize ?? file.data.length;
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export const DEBUG_ID = '0b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d';

/** A valid bundle as sentry-cli lays it out: one minified file and its map, both with `debug-id`. */
export function bundleFiles(debugId = DEBUG_ID, release = 'shop@1.0.0'): ZipFile[] {
  const manifest = {
    files: {
      'files/_/_/a.js': { type: 'minified_source', url: '~/a.js', headers: { 'debug-id': debugId, sourcemap: 'a.js.map' } },
      'files/_/_/a.js.map': { type: 'source_map', url: '~/a.js.map', headers: { 'debug-id': debugId } },
    },
    debug_id: debugId,
    org: INBOX_ORG,
    release,
  };
  return [
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
    { name: 'files/_/_/a.js', data: Buffer.from(`function a(){throw new Error("x")}a();\n//# debugId=${debugId}\n`) },
    {
      name: 'files/_/_/a.js.map',
      data: Buffer.from(JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA', debugId })),
    },
  ];
}

export function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

export function orgUrl(base: string, path: string, org = INBOX_ORG): string {
  return `${base}/api/0/organizations/${org}/${path}`;
}

/** Posts chunks as sentry-cli does: one `file_gzip` part each, named by the raw chunk's sha1 unless told. */
export function postChunks(
  base: string,
  chunks: readonly { readonly data: Buffer; readonly name?: string; readonly gzip?: Buffer }[],
  headers: Readonly<Record<string, string>> = AUTH,
): Promise<Response> {
  const form = new FormData();
  for (const chunk of chunks) {
    const gz = chunk.gzip ?? gzipSync(chunk.data);
    form.append('file_gzip', new Blob([gz], { type: 'application/octet-stream' }), chunk.name ?? sha1(chunk.data));
  }
  return fetch(orgUrl(base, 'chunk-upload/'), { method: 'POST', headers, body: form });
}

export interface AssembleBody {
  readonly checksum: string;
  readonly chunks: readonly string[];
  readonly projects: readonly string[];
  readonly version?: string;
}

export async function assemble(
  base: string,
  body: AssembleBody,
  headers: Readonly<Record<string, string>> = AUTH,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(orgUrl(base, 'artifactbundle/assemble/'), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The whole protocol for one archive sent as a single chunk: pre-check, chunk, assemble. */
export async function uploadZip(base: string, zip: Buffer, projects: readonly string[] = ['shop']): Promise<Record<string, unknown>> {
  const checksum = sha1(zip);
  const body = { checksum, chunks: [checksum], projects };
  const first = await assemble(base, body);
  if (first.body.state !== 'not_found') return first.body;
  const chunkAnswer = await postChunks(base, [{ data: zip }]);
  if (chunkAnswer.status !== 200) throw new Error(`chunk upload: ${chunkAnswer.status} ${await chunkAnswer.text()}`);
  return (await assemble(base, body)).body;
}
