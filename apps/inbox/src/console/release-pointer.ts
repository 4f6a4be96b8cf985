/**
 * The Releases panel's endpoint: `POST /api/releases/<remote>/live` points a remote's live
 * release at another registered release in the release registry (@repo/releases): the same move
 * as `npm run rollback -- shop <release>`, recorded with `by: "inbox"`. Hosts read the pointer on
 * every request, so this is a deploy or a rollback, effective on their next request.
 *
 *   version=1.0.0                  (application/x-www-form-urlencoded: the panel's buttons)
 *                                  → 303 to /teams/<remote>
 *   {"version": "shop@1.0.0"}      (application/json: tools and tests)
 *                                  → 200 { from, to, at, by: "inbox" }
 *
 * Refusals are `{ detail }`: 403 a request from another origin or site, 401 without the read
 * token (when the inbox has one), 415 another body type, 400 a missing or invalid version, 404 a
 * name that is not a remote, 409 a release that is not registered, 500 a registry that cannot
 * be read.
 *
 * A request reaches this only from the inbox's own pages (same-origin.ts checks it first).
 */

import { versionOf, isValidVersion } from '@repo/releases';
import { moveLive, type PointerMove, readRegistry, RegistryError } from '@repo/releases/registry';
import { REMOTE_NAMES, isRemoteName, type RemoteName } from '@repo/topology';
import { type ApiResponse, refuse } from '../http/answer.ts';
import { CHALLENGE, type ReadAuth } from '../http/read-token.ts';
import { isObject } from '../json.ts';

/** What a releases request may send: a version, in a small body. */
export const MAX_RELEASE_BODY_BYTES = 16 * 1024;

/** Recorded as the move's `by`. */
export const MOVED_BY = 'inbox';

/** `/api/releases/<remote>/live`. */
export function livePath(remote: RemoteName): string {
  return `/api/releases/${encodeURIComponent(remote)}/live`;
}

export interface LiveRequest {
  /** The path's `<remote>` segment, decoded. */
  readonly remote: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: Buffer;
}

export interface LiveContext {
  readonly registryFile: string;
  readonly auth: ReadAuth;
}

export type LiveAnswer = ApiResponse | { readonly status: 303; readonly location: string };

interface Parsed {
  readonly form: boolean;
  /** The `version` sent (any JSON value), undefined when none. */
  readonly version: unknown;
  /** The form's `token` field: a browser's form cannot send an Authorization header. */
  readonly token: string | null;
  /** Why the body cannot be used (reported after the token check). */
  readonly problem?: ApiResponse;
}

const TYPE_HINT = 'Send application/x-www-form-urlencoded (version=1.0.0) or application/json ({"version": "1.0.0"}).';

function parse(contentType: string | undefined, body: Buffer): Parsed {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    const fields = new URLSearchParams(body.toString('utf8'));
    return { form: true, version: fields.get('version') ?? undefined, token: fields.get('token') };
  }
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) {
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return { form: false, version: undefined, token: null, problem: refuse(400, `The body is not JSON: ${(error as Error).message}`) };
    }
    if (!isObject(data)) {
      return { form: false, version: undefined, token: null, problem: refuse(400, 'The body must be a JSON object: {"version": "1.0.0"}.') };
    }
    return { form: false, version: data.version, token: null };
  }
  const given = type === '' ? 'no Content-Type' : `Content-Type ${type}`;
  return { form: false, version: undefined, token: null, problem: refuse(415, `Unsupported ${given}. ${TYPE_HINT}`) };
}

/**
 * Answers `POST /api/releases/<remote>/live` once the cross-origin check passed and the body was
 * read: checks the token, the remote and the version, then moves the pointer.
 */
export function moveLivePointer(request: LiveRequest, context: LiveContext): LiveAnswer {
  const parsed = parse(request.contentType, request.body);
  if (!context.auth.allows(request.authorization, parsed.token)) {
    return refuse(401, 'This inbox requires its read token: Authorization: Bearer <token> (or the form field token).', CHALLENGE);
  }
  if (parsed.problem) return parsed.problem;

  const { remote: name } = request;
  if (!isRemoteName(name)) {
    return refuse(404, `"${name}" is not a remote; releases exist for ${REMOTE_NAMES.join(', ')}.`);
  }
  const remote = name;

  if (parsed.version === undefined || parsed.version === null || parsed.version === '') {
    return refuse(400, `Name the release to make live: version=1.0.0 (form) or {"version": "1.0.0"} (JSON); ${remote}@1.0.0 works too.`);
  }
  if (typeof parsed.version !== 'string') {
    return refuse(400, `version must be a string such as "1.0.0", not ${JSON.stringify(parsed.version)}.`);
  }
  const version = versionOf(remote, parsed.version.trim());
  if (!isValidVersion(version)) {
    return refuse(400, `${JSON.stringify(parsed.version)} is not a release of ${remote}: give a version such as 1.0.0 or ${remote}@1.0.0.`);
  }

  try {
    readRegistry(context.registryFile);
  } catch (error) {
    if (error instanceof RegistryError) return refuse(500, `The release registry cannot be read: ${error.message}`);
    throw error;
  }
  let move: PointerMove;
  try {
    move = moveLive(context.registryFile, remote, version, MOVED_BY);
  } catch (error) {
    if (error instanceof RegistryError) return refuse(409, error.message);
    throw error;
  }

  if (parsed.form) {
    // Back to the team view; a token that came in the form goes on, as the page's links carry it.
    const query = parsed.token ? `?token=${encodeURIComponent(parsed.token)}` : '';
    return { status: 303, location: `/teams/${encodeURIComponent(remote)}${query}` };
  }
  return { status: 200, body: { from: move.from, to: move.to, at: move.at, by: move.by } };
}
