/**
 * The registry at an http(s) URL: one pointer for hosts on more than one machine. Any web server
 * that answers GET with an ETag serves it to readers; writers need PUT with If-Match (an object
 * store's conditional write; the inbox serves one at /api/releases/registry.json).
 *
 * A write is optimistic: read the registry and its ETag, apply the change, PUT it with
 * `If-Match: <etag>`. If someone else wrote in between, the server answers 412 and the change is
 * applied again to what they wrote, a few times at most. A registry that does not exist yet
 * (404) is created with `If-None-Match: *`, the same guard for the first write.
 */
import { parseRegistry, RegistryError, serializeRegistry, type Change, type Registry } from './model.ts';

/** How long one request to the registry may take. */
export const REQUEST_TIMEOUT_MS = 5_000;
/** How many times a write is tried when others keep writing in between (412). */
export const WRITE_ATTEMPTS = 8;

export type Fetched =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'registry'; readonly registry: Registry; readonly etag: string | null; readonly exists: boolean };

function unreachable(url: string, method: string, error: unknown): RegistryError {
  const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new RegistryError(`release registry ${url} cannot be reached (${method}): ${cause}`);
}

async function refused(url: string, method: string, response: Response): Promise<RegistryError> {
  const body = (await response.text().catch(() => '')).trim().slice(0, 200);
  return new RegistryError(
    `release registry ${url}: ${method} answered ${response.status} ${response.statusText}${body ? `: ${body}` : ''}`,
  );
}

/**
 * GETs the registry; with `etag`, conditionally (`unchanged` on 304). A 404 is an empty registry
 * (nothing registered yet). Anything else that is not a parseable registry is an error naming the
 * URL and status.
 */
export async function fetchRegistry(url: string, etag?: string | null): Promise<Fetched> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...(etag ? { 'if-none-match': etag } : {}) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw unreachable(url, 'GET', error);
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { kind: 'unchanged' };
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return { kind: 'registry', registry: {}, etag: null, exists: false };
  }
  if (!response.ok) throw await refused(url, 'GET', response);
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw unreachable(url, 'GET', error); // the connection dropped in the middle of the body
  }
  return { kind: 'registry', registry: parseRegistry(text, url), etag: response.headers.get('etag'), exists: true };
}

/** Atomic read-modify-write of the registry at `url` (If-Match, retried on 412). */
export async function updateRegistryUrl<T>(url: string, token: string, change: (registry: Registry) => Change<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const read = await fetchRegistry(url);
    if (read.kind !== 'registry') throw new RegistryError(`release registry ${url}: GET answered 304 without a condition`);
    if (read.exists && !read.etag) {
      throw new RegistryError(`release registry ${url}: GET answered without an ETag, so a write could overwrite another's`);
    }
    const { registry, result } = change(read.registry);
    if (registry === read.registry) return result;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          ...(read.etag ? { 'if-match': read.etag } : { 'if-none-match': '*' }),
        },
        body: serializeRegistry(registry),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw unreachable(url, 'PUT', error);
    }
    if (response.ok) {
      await response.body?.cancel();
      return result;
    }
    if (response.status !== 412 || attempt >= WRITE_ATTEMPTS) {
      const error = await refused(url, 'PUT', response);
      if (response.status === 412) error.message += ` (others wrote in between ${WRITE_ATTEMPTS} times in a row)`;
      throw error;
    }
    await response.body?.cancel();
    // Someone wrote in between: apply the change to what they wrote, after a short random pause
    // so two writers that collided do not collide again in step.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
}
