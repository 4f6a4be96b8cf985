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

/** Node's own `require` of the host's server bundle (webpack leaves it untouched). */
declare const __non_webpack_require__: NodeJS.Require;

/** How long the server waits for a remote's code before giving up on it for this request. */
export const REMOTE_FETCH_TIMEOUT_MS = 2_000;

async function fetchRemoteCode(url: string, init?: RequestInit): Promise<string> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REMOTE_FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`Remote code ${url} answered HTTP ${response.status}`);
  return response.text();
}

/** The URL without the cache-busting query nextjs-mf adds, as a stable script name. */
function scriptName(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  return parsed.href;
}

interface CommonJsModule {
  exports: Record<string, unknown>;
}

/** Registered for Next's server compiler only (see federationOptions). */
export default function serverRemoteLoader(): ModuleFederationRuntimePlugin {
  return {
    name: 'zone-server-remote-loader',

    async loadEntry({ remoteInfo }) {
      const source = await fetchRemoteCode(remoteInfo.entry);
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
      const module: CommonJsModule = { exports: {} };
      // The entry requires the modules it shares with the host (react, next): resolve them as the
      // host's server bundle does, so both render with the same copies.
      wrapper(module.exports, module, __non_webpack_require__, new URL('.', filename).href, filename);
      const container = module.exports[remoteInfo.entryGlobalName] ?? module.exports;
      return container as unknown as Awaited<ReturnType<NonNullable<ModuleFederationRuntimePlugin['loadEntry']>>>;
    },

    async fetch(url, init) {
      const source = await fetchRemoteCode(url, init);
      return new Response(`${source}\n//# sourceURL=${scriptName(url)}\n`, {
        headers: { 'content-type': 'application/javascript' },
      });
    },
  };
}
