/**
 * The Releases panel's endpoints: they move a remote's pointers in the release registry
 * (@repo/releases) as the commands do from a terminal, recorded with `by: "inbox"`. Hosts follow
 * the registry on their next requests: no rebuild, no restart.
 *
 *   POST /api/releases/<remote>/live         version          make a release live; ends any canary
 *                                                             (`npm run rollback`)
 *   POST /api/releases/<remote>/canary       version, percent send `percent` % of visitors to a
 *                                                             release (`npm run canary`)
 *   POST /api/releases/<remote>/promote      [version]        make the canary live (`npm run promote`)
 *   POST /api/releases/<remote>/canary/end   [version]        send every visitor back to the live release
 *
 * Bodies: `application/x-www-form-urlencoded` (the panel's forms, which may carry the read token
 * as the field `token`) → 303 to /teams/<remote>; `application/json` (tools, tests) → 200 with
 * the move. `version` is `1.0.0` or `shop@1.0.0`; on promote and end it is the canary the page
 * showed, so a click never promotes or ends a canary that replaced it meanwhile. `reason`
 * (optional, on live and end) is recorded with the move.
 *
 * Refusals are `{ detail }` (to a form: a page saying it, with a link back; routes.ts): 403 a request from another origin or site (same-origin.ts, before
 * this), 401 without the read token (when the inbox has one), 415 another body type, 400 a
 * missing or invalid version or percent, 404 a name that is not a remote, 409 what the registry
 * does not allow (a release that is not registered; a canary of the live release or of a
 * release that does not answer; promote or end with no such canary), 500 a registry that cannot
 * be read or written, 502 an HTTP registry that does not answer.
 */

import { versionOf, isValidVersion } from '@repo/releases';
import { type PointerMove, type Registry, RegistryError, type RemoteReleases } from '@repo/releases/registry';
import { endCanary, isRegistryUrl, moveLive, promoteCanary, type ReleaseProbe, type RegistryStore, startCanary } from '@repo/releases/store';
import { REMOTE_NAMES, isRemoteName, type RemoteName } from '@repo/topology';
import { type ApiResponse, refuse } from '../http/answer.ts';
import { CHALLENGE, type ReadAuth } from '../http/read-token.ts';
import { isObject } from '../json.ts';

/** What a releases request may send: a few fields, in a small body. */
export const MAX_RELEASE_BODY_BYTES = 16 * 1024;

/** Recorded as the move's `by`. */
export const MOVED_BY = 'inbox';

/** The longest `reason` recorded: a sentence, not a document. */
export const MAX_REASON_LENGTH = 500;

export type PointerAction = 'live' | 'canary' | 'promote' | 'end';

const SUFFIX: Readonly<Record<PointerAction, string>> = { live: 'live', canary: 'canary', promote: 'promote', end: 'canary/end' };

/** `/api/releases/<remote>/<action>`. */
export function actionPath(remote: RemoteName, action: PointerAction): string {
  return `/api/releases/${encodeURIComponent(remote)}/${SUFFIX[action]}`;
}

export interface PointerRequest {
  /** The path's `<remote>` segment, decoded. */
  readonly remote: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: Buffer;
}

export interface PointerContext {
  readonly store: RegistryStore;
  readonly auth: ReadAuth;
  /** Checks that a release answers before a canary sends visitors to it. */
  readonly probe: ReleaseProbe;
}

export type PointerAnswer =
  | (ApiResponse & {
      /** For a form's refusal: the team view to offer a way back to. */
      readonly back?: string;
    })
  | { readonly status: 303; readonly location: string };

interface Fields {
  readonly form: boolean;
  /** What was sent for each field (any JSON value), undefined when absent. */
  readonly version: unknown;
  readonly percent: unknown;
  readonly reason: unknown;
  /** The form's `token` field: a browser's form cannot send an Authorization header. */
  readonly token: string | null;
  /** Why the body cannot be used (reported after the token check). */
  readonly problem?: ApiResponse;
}

const TYPE_HINT = 'Send application/x-www-form-urlencoded (version=1.0.0) or application/json ({"version": "1.0.0"}).';

function broken(problem: ApiResponse): Fields {
  return { form: false, version: undefined, percent: undefined, reason: undefined, token: null, problem };
}

function parse(contentType: string | undefined, body: Buffer): Fields {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') {
    const fields = new URLSearchParams(body.toString('utf8'));
    const field = (name: string) => fields.get(name) ?? undefined;
    return { form: true, version: field('version'), percent: field('percent'), reason: field('reason'), token: fields.get('token') };
  }
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) {
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return broken(refuse(400, `The body is not JSON: ${(error as Error).message}`));
    }
    if (!isObject(data)) return broken(refuse(400, 'The body must be a JSON object: {"version": "1.0.0"}.'));
    return { form: false, version: data.version, percent: data.percent, reason: data.reason, token: null };
  }
  const given = type === '' ? 'no Content-Type' : `Content-Type ${type}`;
  return broken(refuse(415, `Unsupported ${given}. ${TYPE_HINT}`));
}

function absent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** The release named by `value` (`1.0.0` or `shop@1.0.0`), or the refusal. */
function versionField(remote: RemoteName, value: unknown, missing: string): string | ApiResponse {
  if (absent(value)) return refuse(400, `${missing}: version=1.0.0 (form) or {"version": "1.0.0"} (JSON); ${remote}@1.0.0 works too.`);
  if (typeof value !== 'string') return refuse(400, `version must be a string such as "1.0.0", not ${JSON.stringify(value)}.`);
  const version = versionOf(remote, value.trim());
  if (!isValidVersion(version)) {
    return refuse(400, `${JSON.stringify(value)} is not a release of ${remote}: give a version such as 1.0.0 or ${remote}@1.0.0.`);
  }
  return version;
}

/** An integer from 0 to 100: a number in JSON, digits in a form. */
function percentField(value: unknown): number | ApiResponse {
  const hint = 'percent must be a whole number from 0 to 100 (the share of visitors sent to the canary)';
  if (absent(value)) return refuse(400, `Say how many visitors get the canary: ${hint}.`);
  const percent = typeof value === 'string' && /^\s*\d{1,3}\s*$/.test(value) ? Number(value) : value;
  if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100) {
    return refuse(400, `${hint}, not ${JSON.stringify(value)}.`);
  }
  return percent;
}

function reasonField(value: unknown): string | undefined | ApiResponse {
  if (absent(value)) return undefined;
  if (typeof value !== 'string') return refuse(400, `reason must be text, not ${JSON.stringify(value)}.`);
  const reason = value.trim();
  if (reason.length > MAX_REASON_LENGTH) return refuse(400, `reason is limited to ${MAX_REASON_LENGTH} characters.`);
  return reason === '' ? undefined : reason;
}

function isAnswer(value: unknown): value is ApiResponse {
  return typeof value === 'object' && value !== null && 'status' in value;
}

function registered(remote: RemoteName, entry: RemoteReleases | undefined, version: string, location: string): ApiResponse | undefined {
  if (entry && version in entry.releases) return undefined;
  const known = entry ? Object.keys(entry.releases) : [];
  return refuse(
    409,
    `${remote}@${version} is not a registered release of ${remote}` +
      (known.length ? ` (registered: ${known.join(', ')})` : ` (none registered in ${location})`),
  );
}

/** The registry, or why it cannot be read: 500 for a file, 502 for an HTTP registry (its server failed us). */
async function readOrRefuse(store: RegistryStore): Promise<Registry | ApiResponse> {
  try {
    return await store.read();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return refuse(isRegistryUrl(store.location) ? 502 : 500, `The release registry cannot be read: ${reason}`);
  }
}

/** Runs a registry operation; what the registry refuses (it checks again, under its lock) is a 409. */
async function change(operation: () => Promise<PointerMove | null>, gone: () => ApiResponse): Promise<PointerMove | ApiResponse> {
  try {
    return (await operation()) ?? gone();
  } catch (error) {
    if (error instanceof RegistryError) return refuse(409, error.message);
    throw error;
  }
}

function canaryOf(remote: RemoteName, entry: RemoteReleases | undefined): string {
  return entry?.canary ? `${remote}@${entry.canary.version} (${entry.canary.percent} %)` : 'none';
}

/** What an action was asked to do, its fields checked. */
type Intent =
  | { readonly action: 'live'; readonly version: string }
  | { readonly action: 'canary'; readonly version: string; readonly percent: number }
  | { readonly action: 'promote' | 'end'; readonly version: string | undefined };

/** Checks the fields an action needs, before the registry is read. */
function intentOf(action: PointerAction, remote: RemoteName, fields: Fields): Intent | ApiResponse {
  switch (action) {
    case 'live': {
      const version = versionField(remote, fields.version, 'Name the release to make live');
      return isAnswer(version) ? version : { action, version };
    }
    case 'canary': {
      const version = versionField(remote, fields.version, 'Name the release to canary');
      if (isAnswer(version)) return version;
      const percent = percentField(fields.percent);
      return isAnswer(percent) ? percent : { action, version, percent };
    }
    case 'promote':
    case 'end': {
      const version = absent(fields.version) ? undefined : versionField(remote, fields.version, '');
      return isAnswer(version) ? version : { action, version };
    }
  }
}

/** Checks an intent against the registry just read, then moves the pointer. */
async function act(intent: Intent, remote: RemoteName, reason: string | undefined, registry: Registry, context: PointerContext): Promise<PointerMove | ApiResponse> {
  const { store } = context;
  const entry = registry[remote];
  const none = () => refuse(409, `${remote} has no canary any more (it ended meanwhile).`);
  switch (intent.action) {
    case 'live': {
      const { version } = intent;
      return registered(remote, entry, version, store.location) ?? change(() => moveLive(store, remote, version, MOVED_BY, reason), none);
    }
    case 'canary': {
      const { version, percent } = intent;
      const unknown = registered(remote, entry, version, store.location);
      if (unknown) return unknown;
      if (entry?.live === version) {
        return refuse(409, `${remote}@${version} is the live release already: a canary is another release, tried on a share of visitors.`);
      }
      const origin = entry?.releases[version]?.origin ?? '';
      const silent = await context.probe(origin);
      if (silent !== undefined) {
        return refuse(
          409,
          `${remote}@${version} at ${origin} does not answer (${silent}); a canary of it would put ${percent} % of visitors ` +
            "on the hosts' fallback. Start it first.",
        );
      }
      return change(() => startCanary(store, remote, version, percent, MOVED_BY), none);
    }
    case 'promote':
    case 'end': {
      const { version: shown } = intent;
      const canary = entry?.canary;
      if (!canary || (shown !== undefined && canary.version !== shown)) {
        const named = shown === undefined ? 'no canary' : `no canary of ${remote}@${shown}`;
        const verb = intent.action === 'end' ? 'end' : 'promote';
        return refuse(409, `${remote} has ${named} to ${verb} (canary now: ${canaryOf(remote, entry)}).`);
      }
      if (intent.action === 'promote') return change(() => promoteCanary(store, remote, MOVED_BY, { onlyIf: canary.version }), none);
      // onlyIf: a canary that replaced this one meanwhile (the guard ended it, another tab started one) stays.
      return change(() => endCanary(store, remote, { by: MOVED_BY, reason, onlyIf: canary.version }), none);
    }
  }
}

/** The team view a form came from, with the token it carried (as the page's links carry it). */
function teamView(remote: string, token: string | null): string {
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return isRemoteName(remote) ? `/teams/${encodeURIComponent(remote)}${query}` : `/${query}`;
}

async function decide(action: PointerAction, request: PointerRequest, context: PointerContext, fields: Fields): Promise<PointerAnswer> {
  if (!context.auth.allows(request.authorization, fields.token)) {
    return refuse(401, 'This inbox requires its read token: Authorization: Bearer <token> (or the form field token).', CHALLENGE);
  }
  if (fields.problem) return fields.problem;

  const { remote: name } = request;
  if (!isRemoteName(name)) {
    return refuse(404, `"${name}" is not a remote; releases exist for ${REMOTE_NAMES.join(', ')}.`);
  }
  const remote = name;
  const intent = intentOf(action, remote, fields);
  if (isAnswer(intent)) return intent;
  const reason = reasonField(fields.reason);
  if (isAnswer(reason)) return reason;

  const registry = await readOrRefuse(context.store);
  if (isAnswer(registry)) return registry;
  const move = await act(intent, remote, reason, registry, context);
  if (isAnswer(move)) return move;
  // A form goes back to the team view, which shows the move.
  return fields.form ? { status: 303, location: teamView(remote, fields.token) } : { status: 200, body: move };
}

/**
 * Answers a POST to one of the endpoints once the cross-origin check passed and the body was
 * read: checks the token, the remote and the fields, then moves the pointer. A refusal of a
 * form names the page to go back to (`back`): a person reads it as a page, not as JSON.
 */
export async function answerPointerRequest(action: PointerAction, request: PointerRequest, context: PointerContext): Promise<PointerAnswer> {
  const fields = parse(request.contentType, request.body);
  const answer = await decide(action, request, context, fields);
  if (!fields.form || 'location' in answer) return answer;
  return { ...answer, back: teamView(request.remote, fields.token) };
}
