/**
 * The release registry over HTTP, for hosts, commands and the guard on other machines
 * (`FEDERATION_REGISTRY=http://localhost:9000/api/releases/registry.json`): what any static web
 * server (reads) and object store (conditional writes) offer, served from one file.
 *
 *   GET|HEAD /api/releases/registry.json   the file's bytes, a strong ETag (a hash of them),
 *                                          `Cache-Control: no-cache`; If-None-Match → 304. A
 *                                          missing file is the empty registry `{}`, as for the
 *                                          file readers. Open to any client the Host check lets
 *                                          through, without the read token: hosts poll it from
 *                                          their servers with no browser and no token, as they
 *                                          would a file on a CDN; it holds which release is
 *                                          where, no events. No CORS: other sites' pages cannot
 *                                          read it.
 *   PUT      /api/releases/registry.json   replace it: `Authorization: Bearer <registry token>`
 *                                          (FEDERATION_REGISTRY_TOKEN, else the local default),
 *                                          `If-Match: <ETag of the registry the change was made
 *                                          on>` (428 without; 412 when it is not the current
 *                                          one, so two writers never lose each other's change;
 *                                          `*` matches any; `If-None-Match: *` instead creates
 *                                          the file only if there is none), a body of at most 256 KiB (413)
 *                                          that parseRegistry accepts (400 with its reason).
 *                                          204 with the new ETag.
 *
 * A PUT runs under the same lock file as every other writer of the file (the CLI, shop's
 * start-up, the guard), and the file is replaced atomically; what is stored is the registry as
 * writers serialize it, so the ETag a PUT answers is that of the bytes a GET then serves.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { type Context, Hono } from 'hono';
import { parseRegistry, type Registry, RegistryError, serializeRegistry } from '@repo/releases/registry';
import { withRegistryFileLock, writeRegistryFile } from '@repo/releases/store';
import { refuse, send } from '../http/answer.ts';
import { bodyLimit, type WithBody } from '../http/body-limit.ts';
import { CHALLENGE, ReadAuth } from '../http/read-token.ts';
import { type InboxEnv, header } from '../http/request.ts';

/** The largest registry a PUT may send: ample for 50 moves per remote, small enough to read on every poll. */
export const MAX_REGISTRY_BYTES = 256 * 1024;

/** Where the route is mounted under `/api/releases`. */
export const REGISTRY_PATH = '/registry.json';

export interface RegistryRouteOptions {
  /** The file served and written. */
  readonly file: string;
  /** The token writers present (registryToken() of @repo/releases/store). */
  readonly token: string;
}

/** A strong ETag of `bytes`: the first 128 bits of their SHA-256. */
export function etagOf(bytes: Buffer | string): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
}

/** The file's bytes; those of the empty registry when there is no file yet. */
function currentBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.from(serializeRegistry({}));
    throw error;
  }
}

/** The entity tags of an If-Match / If-None-Match header, `*` kept as is. */
function entityTags(value: string): string[] {
  return value.match(/\*|(?:W\/)?"[^"]*"/g) ?? [];
}

/** If-None-Match's weak comparison: `W/"x"` matches `"x"`. */
function noneMatch(value: string, etag: string): boolean {
  return entityTags(value).some((tag) => tag === '*' || tag.replace(/^W\//, '') === etag);
}

/** If-Match's strong comparison: a weak tag never matches. */
function anyMatch(value: string, etag: string): boolean {
  return entityTags(value).some((tag) => tag === '*' || tag === etag);
}

const READ_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  // Caches may keep it, but must ask every time: a move must reach hosts on their next poll.
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
};

type Written = { readonly etag: string } | { readonly stale: string };

export function registryRoutes({ file, token }: RegistryRouteOptions): Hono<InboxEnv> {
  const routes = new Hono<InboxEnv>();
  const writers = new ReadAuth(token);

  routes.get(REGISTRY_PATH, (c) => {
    let bytes: Buffer;
    try {
      bytes = currentBytes(file);
    } catch (error) {
      return send(c, refuse(500, `The release registry ${file} cannot be read: ${(error as Error).message}`));
    }
    const etag = etagOf(bytes);
    const ifNoneMatch = header(c, 'if-none-match');
    if (ifNoneMatch !== undefined && noneMatch(ifNoneMatch, etag)) {
      return c.body(null, 304, { ETag: etag, 'Cache-Control': READ_HEADERS['Cache-Control'] });
    }
    return c.body(new Uint8Array(bytes), 200, { ...READ_HEADERS, ETag: etag });
  });

  routes.put(
    REGISTRY_PATH,
    async (c, next) => {
      if (!writers.allows(header(c, 'authorization'), undefined)) {
        return send(c, refuse(401, 'Writing the release registry needs Authorization: Bearer <FEDERATION_REGISTRY_TOKEN>.', CHALLENGE));
      }
      if (header(c, 'if-match') === undefined && header(c, 'if-none-match')?.trim() !== '*') {
        return send(
          c,
          refuse(
            428,
            'Send If-Match with the ETag of the registry your change was made on (GET it first), so no other change is lost; ' +
              'or If-None-Match: * to create it.',
          ),
        );
      }
      return next();
    },
    bodyLimit({ maxRawBytes: MAX_REGISTRY_BYTES, maxDecodedBytes: MAX_REGISTRY_BYTES }),
    (c) => put(c, file),
  );

  routes.all(REGISTRY_PATH, (c) =>
    send(c, refuse(405, `Use GET to read the release registry, PUT to replace it.`, { Allow: 'GET, HEAD, PUT' })),
  );
  return routes;
}

/** Whether the precondition holds for the current file: If-Match, else `If-None-Match: *` (create only). */
function preconditionHolds(ifMatch: string | undefined, file: string, etag: string): boolean {
  return ifMatch !== undefined ? anyMatch(ifMatch, etag) : !existsSync(file);
}

type Outcome = Written | { readonly refused: string };

async function put(c: Context<WithBody>, file: string): Promise<Response> {
  const ifMatch = header(c, 'if-match');
  const condition = ifMatch === undefined ? 'If-None-Match: * (create)' : `If-Match ${ifMatch}`;
  const text = c.get('body').toString('utf8');
  // Under the writers' lock, comparing and replacing bytes: the file in place is never parsed, so
  // a PUT can replace a malformed registry (the way to repair one from elsewhere). The
  // precondition first, then what was sent.
  const written = await withRegistryFileLock<Outcome>(file, () => {
    const etag = etagOf(currentBytes(file));
    if (!preconditionHolds(ifMatch, file, etag)) return { stale: etag };
    let next: Registry;
    try {
      next = parseRegistry(text, 'the registry sent');
    } catch (error) {
      if (error instanceof RegistryError) return { refused: error.message };
      throw error;
    }
    writeRegistryFile(file, next);
    return { etag: etagOf(serializeRegistry(next)) };
  });
  if ('refused' in written) return send(c, refuse(400, written.refused));
  if ('stale' in written) {
    return send(
      c,
      refuse(412, `${condition} does not hold: the registry's current ETag is ${written.stale}, it changed since you read it. GET it again and redo your change.`, {
        ETag: written.stale,
      }),
    );
  }
  return c.body(null, 204, { ETag: written.etag, 'Cache-Control': 'no-store' });
}
