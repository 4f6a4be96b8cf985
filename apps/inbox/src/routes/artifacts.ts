/**
 * The source-map upload API that `sentry-cli sourcemaps upload` speaks (Sentry's web API paths and
 * fields), mounted at `/api/0/organizations`:
 *
 *   GET  /<org>/chunk-upload/                  how to upload: chunk size, counts, where to post
 *   POST /<org>/chunk-upload/                  chunks, multipart: `file_gzip` (or `file`) parts named by their sha1
 *   POST /<org>/artifactbundle/assemble/       { checksum, chunks, projects, version?, dist? } → Sentry's states
 *
 * Machine to machine: every request needs `Authorization: Bearer <upload token>`
 * (INBOX_UPLOAD_TOKEN, compared in constant time), the org is the inbox's (`INBOX_ORG`), and a
 * request from a page (one carrying `Origin`) is refused: no CORS, no cookies, no browser.
 */

import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { gunzipSync } from 'node:zlib';
import { INBOX_ORG } from '@repo/topology';
import {
  CHUNK_SIZE,
  CHUNKS_PER_REQUEST,
  MAX_ASSEMBLE_REQUEST_BYTES,
  MAX_CHUNK_REQUEST_BYTES,
  MAX_CHUNKS_PER_BUNDLE,
  MAX_FILE_SIZE,
  MAX_REQUEST_SIZE,
} from '../artifacts/limits.ts';
import { type ArtifactStore, type AssembleRequest, SHA1, sha1, unknownProjects } from '../artifacts/store.ts';
import type { BodyLimits } from '../body.ts';
import { type ApiResponse, refuse, send, wrongMethod } from '../http/answer.ts';
import { bodyLimit } from '../http/body-limit.ts';
import { CHALLENGE, type ReadAuth } from '../http/read-token.ts';
import { type InboxEnv, header, requestOrigin } from '../http/request.ts';
import { isObject } from '../json.ts';

export interface UploadContext {
  readonly artifacts: ArtifactStore;
  /** Holds the upload token (the read token's constant-time check, another secret). */
  readonly uploadAuth: ReadAuth;
}

/** Chunk requests: the advertised request size plus multipart's overhead; parts are gzipped one by one, not the body. */
export const CHUNK_BODY_LIMITS: BodyLimits = { maxRawBytes: MAX_CHUNK_REQUEST_BYTES, maxDecodedBytes: MAX_CHUNK_REQUEST_BYTES };
const ASSEMBLE_BODY_LIMITS: BodyLimits = { maxRawBytes: MAX_ASSEMBLE_REQUEST_BYTES, maxDecodedBytes: MAX_ASSEMBLE_REQUEST_BYTES };

const CHUNK_UPLOAD = '/:org/chunk-upload';
const ASSEMBLE = '/:org/artifactbundle/assemble';

const noPages = createMiddleware<InboxEnv>(async (c, next) => {
  if (header(c, 'origin') === undefined) return next();
  return send(c, refuse(403, 'The upload API is for sentry-cli, not for pages: requests with an Origin are refused.'));
});

function uploadToken(auth: ReadAuth) {
  return createMiddleware<InboxEnv>(async (c, next) => {
    const authorization = header(c, 'authorization');
    if (authorization !== undefined && auth.allows(authorization, undefined)) return next();
    const reason =
      authorization === undefined
        ? "Uploads need the inbox's upload token: Authorization: Bearer <INBOX_UPLOAD_TOKEN> (sentry-cli --auth-token)."
        : "Refused: that is not the inbox's upload token (INBOX_UPLOAD_TOKEN).";
    return send(c, refuse(401, reason, CHALLENGE));
  });
}

const ownOrg = createMiddleware<InboxEnv>(async (c, next) => {
  const org = c.req.param('org');
  if (org === INBOX_ORG) return next();
  return send(c, refuse(404, `No organization ${JSON.stringify(org)} here: the inbox's is ${JSON.stringify(INBOX_ORG)}.`));
});

/** What sentry-cli asks first; it obeys the sizes and posts chunks to `url`. */
function chunkUploadOptions(origin: string): ApiResponse {
  return {
    status: 200,
    body: {
      // Absolute: the JS CLI cannot use a relative one.
      url: `${origin}/api/0/organizations/${INBOX_ORG}/chunk-upload/`,
      chunkSize: CHUNK_SIZE,
      chunksPerRequest: CHUNKS_PER_REQUEST,
      maxRequestSize: MAX_REQUEST_SIZE,
      maxFileSize: MAX_FILE_SIZE,
      concurrency: 1,
      hashAlgorithm: 'sha1',
      compression: ['gzip'],
      accept: ['artifact_bundles', 'artifact_bundles_v2'],
    },
  };
}

class ChunkError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A part's raw chunk: gunzipped (`file_gzip`, within CHUNK_SIZE) or as is (`file`), its sha1 checked against its name. */
async function chunkOf(field: string, value: string | File): Promise<{ checksum: string; data: Buffer }> {
  if (field !== 'file_gzip' && field !== 'file') throw new ChunkError(400, `Unexpected part ${JSON.stringify(field)}: send file_gzip or file parts.`);
  if (typeof value === 'string') throw new ChunkError(400, `Part ${field} is not a file.`);
  const name = value.name.toLowerCase();
  if (!SHA1.test(name)) throw new ChunkError(400, `A chunk's file name must be its sha1 (40 hex digits), not ${JSON.stringify(value.name)}.`);
  const sent = Buffer.from(await value.arrayBuffer());
  let data = sent;
  if (field === 'file_gzip') {
    try {
      data = gunzipSync(sent, { maxOutputLength: CHUNK_SIZE });
    } catch (error) {
      if (error instanceof RangeError) throw new ChunkError(413, `Chunk ${name} expands past the chunk size, ${CHUNK_SIZE} bytes.`);
      throw new ChunkError(400, `Chunk ${name} is not gzip data.`);
    }
  } else if (data.length > CHUNK_SIZE) {
    throw new ChunkError(413, `Chunk ${name} is larger than the chunk size, ${CHUNK_SIZE} bytes.`);
  }
  const actual = sha1(data);
  if (actual !== name) throw new ChunkError(400, `Chunk ${name}: its content has sha1 ${actual}; a chunk is named by its sha1.`);
  return { checksum: name, data };
}

async function uploadChunks(artifacts: ArtifactStore, contentType: string | undefined, body: Buffer): Promise<ApiResponse | undefined> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
    return refuse(400, 'Chunks are sent as multipart/form-data.');
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return refuse(400, 'The body is not valid multipart/form-data.');
  }
  const parts = [...form.entries()];
  if (parts.length === 0) return refuse(400, 'The request holds no chunk.');
  if (parts.length > CHUNKS_PER_REQUEST) return refuse(400, `At most ${CHUNKS_PER_REQUEST} chunks per request.`);
  const chunks: { checksum: string; data: Buffer }[] = [];
  try {
    for (const [field, value] of parts) chunks.push(await chunkOf(field, value));
  } catch (error) {
    if (error instanceof ChunkError) return refuse(error.status, error.message);
    throw error;
  }
  const full = artifacts.storeChunks(chunks);
  return full === undefined ? undefined : refuse(507, full);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The assemble request's fields, checked; a refusal when they are not what sentry-cli sends. */
function assembleRequest(body: Buffer): AssembleRequest | ApiResponse {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse(400, 'The body is not JSON.');
  }
  if (!isObject(json)) return refuse(400, 'The body is not a JSON object.');
  const { checksum, chunks, projects, version, dist } = json;
  if (typeof checksum !== 'string' || !SHA1.test(checksum)) return refuse(400, '"checksum" must be the sha1 of the bundle (40 lower-case hex digits).');
  if (!isStringArray(chunks) || !chunks.every((chunk) => SHA1.test(chunk))) return refuse(400, '"chunks" must be a list of sha1s.');
  if (chunks.length > MAX_CHUNKS_PER_BUNDLE) return refuse(400, `A bundle has at most ${MAX_CHUNKS_PER_BUNDLE} chunks.`);
  if (!isStringArray(projects) || projects.length === 0) return refuse(400, '"projects" must list the project slugs (sentry-cli --project).');
  const unknown = unknownProjects(projects);
  if (unknown.length > 0) return refuse(400, `Unknown project ${unknown.map((slug) => JSON.stringify(slug)).join(', ')}: this inbox has home, shop and checkout.`);
  if (version !== undefined && version !== null && typeof version !== 'string') return refuse(400, '"version" must be a string.');
  if (dist !== undefined && dist !== null && typeof dist !== 'string') return refuse(400, '"dist" must be a string.');
  return { checksum, chunks, projects: [...new Set(projects)], version: version ?? undefined, dist: dist ?? undefined };
}

export function artifactRoutes({ artifacts, uploadAuth }: UploadContext): Hono<InboxEnv> {
  const routes = new Hono<InboxEnv>();
  for (const path of [CHUNK_UPLOAD, ASSEMBLE]) routes.use(path, noPages, uploadToken(uploadAuth), ownOrg);

  routes.get(CHUNK_UPLOAD, (c) => send(c, chunkUploadOptions(requestOrigin(c))));
  routes.post(CHUNK_UPLOAD, bodyLimit(CHUNK_BODY_LIMITS), async (c) => {
    const refusal = await uploadChunks(artifacts, header(c, 'content-type'), c.get('body'));
    if (refusal) return send(c, refusal);
    return new Response(null, { status: 200, headers: { 'Cache-Control': 'no-store' } });
  });
  routes.all(CHUNK_UPLOAD, (c) => send(c, refuse(405, 'Use GET or POST for the chunk upload.', { Allow: 'GET, HEAD, POST' })));

  routes.post(ASSEMBLE, bodyLimit(ASSEMBLE_BODY_LIMITS), (c) => {
    const request = assembleRequest(c.get('body'));
    if ('status' in request) return send(c, request);
    return send(c, { status: 200, body: artifacts.assemble(request) });
  });
  routes.all(ASSEMBLE, (c) => wrongMethod(c, 'POST'));
  return routes;
}
