/**
 * Module Federation runtime plugin for a host's Node server: how shop's code gets onto the server.
 *
 * The SSR 500 it fixes: nextjs-mf's Node loader evaluates a remote's entry in a `vm.Script`
 * whose file name is just `remoteEntry.js`, and its chunks with `eval`. When shop's component
 * throws during a server render, Next formats the error's stack, reads the frame `remoteEntry.js`
 * as `file://remoteEntry.js` (a file URL with host "remoteEntry.js") and `fileURLToPath` throws
 * ERR_INVALID_FILE_URL_HOST from inside Next's error handling, so the page answers 500 instead
 * of rendering the Suspense fallback.
 *
 * The cause is that remote code runs under names that are neither paths nor URLs. So every piece
 * of remote code the server evaluates is named by the URL it came from: the entry through
 * `loadEntry`, the chunks through `fetch` (a `//# sourceURL=` comment, which V8 uses as the file
 * name in stack traces of `eval`ed code). Stack frames then read
 * `http://localhost:3001/_next/static/ssr/…js`, which Next prints as they are and which tell the
 * reader (and Sentry, later) exactly which zone's code failed.
 *
 * It also bounds every server-side fetch of remote code, so an unresponsive remote costs a
 * render a bounded wait instead of Node's 300 s default.
 */
import { Script } from 'node:vm';
import type { ModuleFederationRuntimePlugin } from '@module-federation/runtime';
import { throwLoadErrors } from './load-errors.ts';

/** Node's own `require` of the host's server bundle (webpack leaves it untouched). */
declare const __non_webpack_require__: NodeJS.Require;
/** The public path of the webpack runtime this module is compiled into (`__webpack_require__.p`). */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- webpack reads it: assigning it sets the public path
declare let __webpack_public_path__: string;

/**
 * Where this container's chunks are: its entry's directory, when the entry was loaded from a URL.
 *
 * Why: a remote's server chunks are fetched relative to its public path, and a Next server build's
 * public path is relative (`/_next/`). nextjs-mf's Node runtime then looks for the remote's entry
 * URL *by the container's name* ('shop') among all federation instances, and finds whichever
 * `shop` it meets first: with two releases of shop in one host (1.0.0 on :3001, 1.1.0 on :3011)
 * the chunks of one were fetched from the other's origin. This plugin is compiled into shop's
 * server container too; when that container runs from a URL (the host's loadEntry below passes
 * the URL as `__filename`), it pins its own public path to where it came from. In a zone's own
 * server `__filename` is a file path and nothing changes.
 */
function pinPublicPathToEntryUrl(): void {
  const filename: unknown = typeof __filename === 'string' ? __filename : undefined;
  if (typeof filename === 'string' && /^https?:\/\//.test(filename)) {
    __webpack_public_path__ = new URL('.', filename).href;
  }
}

/** How long the server waits for a remote's code before giving up on it for this request. */
export const REMOTE_FETCH_TIMEOUT_MS = 2_000;

export interface ServerRemoteLoaderOptions {
  /** Default REMOTE_FETCH_TIMEOUT_MS. */
  fetchTimeoutMs?: number;
}

async function fetchRemoteCode(url: string, timeoutMs: number, init?: RequestInit): Promise<string> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`Remote code ${url} answered HTTP ${response.status}`);
  return response.text();
}

/** The URL without the cache-busting query nextjs-mf adds, as a stable script name. */
function scriptName(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  return parsed.href;
}

interface FederationGlobal {
  __FEDERATION__?: { __INSTANCES__?: { name: string }[] };
}

/**
 * A container evaluated again (the same release, after an outage) would otherwise find the
 * federation instance its previous evaluation created (they share a name and build id) and reuse
 * it; its runtime plugins then never set up the new container's chunk loading, which falls back
 * to reading chunks from the host's disk (`ENOENT … http:/localhost:3001/…`). So before an entry
 * runs, earlier instances of that container leave the global registry. Containers already running
 * keep a reference to their own instance and are unaffected; the host's instance has another name.
 */
function forgetEarlierContainerInstances(containerName: string): void {
  const instances = (globalThis as FederationGlobal).__FEDERATION__?.__INSTANCES__;
  if (!instances) return;
  for (let i = instances.length - 1; i >= 0; i--) {
    if (instances[i]?.name === containerName) instances.splice(i, 1);
  }
}

interface CommonJsModule {
  exports: Record<string, unknown>;
}

/**
 * Registered for Next's server compiler only. The federation runtime calls the default export
 * without options (nextjs-mf passes runtime plugins by path, never with parameters).
 */
export default function serverRemoteLoader(options: ServerRemoteLoaderOptions = {}): ModuleFederationRuntimePlugin {
  const timeoutMs = options.fetchTimeoutMs ?? REMOTE_FETCH_TIMEOUT_MS;
  pinPublicPathToEntryUrl();
  return {
    name: 'zone-server-remote-loader',
    errorLoadRemote: throwLoadErrors,

    async loadEntry({ remoteInfo }) {
      const source = await fetchRemoteCode(remoteInfo.entry, timeoutMs);
      const filename = scriptName(remoteInfo.entry);
      // Same module wrapper as Node's, so the entry's `module.exports` is the container.
      const wrapper = new Script(`(function (exports, module, require, __dirname, __filename) {${source}\n})`, {
        filename,
      }).runInThisContext() as (
        exports: Record<string, unknown>,
        module: CommonJsModule,
        require: NodeJS.Require,
        dirname: string,
        filename: string,
      ) => void;
      forgetEarlierContainerInstances(remoteInfo.entryGlobalName);
      const module: CommonJsModule = { exports: {} };
      // The entry requires the modules it shares with the host (react, next): resolve them as the
      // host's server bundle does, so both render with the same copies.
      wrapper(module.exports, module, __non_webpack_require__, new URL('.', filename).href, filename);
      const container = module.exports[remoteInfo.entryGlobalName] ?? module.exports;
      return container as unknown as Awaited<ReturnType<NonNullable<ModuleFederationRuntimePlugin['loadEntry']>>>;
    },

    async fetch(url, init) {
      const source = await fetchRemoteCode(url, timeoutMs, init);
      return new Response(`${source}\n//# sourceURL=${scriptName(url)}\n`, {
        headers: { 'content-type': 'application/javascript' },
      });
    },
  };
}
