/**
 * Module Federation runtime plugin for browsers: load remote code as CORS scripts, from an entry
 * URL the browser may cache (see beforeRequest).
 *
 * Why: a script from another origin that is loaded without `crossorigin` is "opaque" to the
 * page. When shop's code (served by :3001) throws inside checkout's page (:3002), the browser
 * hands `window.onerror` only "Script error." with no stack, so Sentry can neither see the error
 * nor tell whose it is (its inbound filter drops such events). nextjs-mf's own plugin creates the
 * remote's script tags and removes `crossorigin`; this plugin, registered after it, creates them
 * with `crossorigin="anonymous"`. Shop answers with `Access-Control-Allow-Origin` on its static
 * files and webpack loads chunks the same way (@repo/next-config's cross-origin-scripts).
 */
import type { ModuleFederationRuntimePlugin } from '@module-federation/runtime';
import { throwLoadErrors } from './load-errors.ts';

/** How long a browser waits for a remote's script before the runtime gives up on it. */
export const REMOTE_SCRIPT_TIMEOUT_MS = 8_000;

/** The query parameter nextjs-mf's runtime plugin adds to every remote entry URL, `t=<Date.now()>`. */
export const CACHE_BUSTING_PARAM = 't';

export interface BrowserRemoteLoaderOptions {
  /** Default REMOTE_SCRIPT_TIMEOUT_MS. */
  scriptTimeoutMs?: number;
  /** Whether entry URLs keep nextjs-mf's timestamp; default: only under `next dev`. */
  cacheBusting?: boolean;
}

/** `url` without nextjs-mf's timestamp. */
export function withoutCacheBusting(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has(CACHE_BUSTING_PARAM)) return url;
  parsed.searchParams.delete(CACHE_BUSTING_PARAM);
  return parsed.href;
}

/**
 * Registered for Next's client compiler only. The federation runtime calls the default export
 * without options (nextjs-mf passes runtime plugins by path, never with parameters).
 */
export default function browserRemoteLoader(options: BrowserRemoteLoaderOptions = {}): ModuleFederationRuntimePlugin {
  const timeout = options.scriptTimeoutMs ?? REMOTE_SCRIPT_TIMEOUT_MS;
  const cacheBusting = options.cacheBusting ?? process.env.NODE_ENV !== 'production';
  return {
    name: 'zone-browser-remote-loader',
    errorLoadRemote: throwLoadErrors,
    /**
     * nextjs-mf's runtime plugin, which runs just before this one, makes every remote entry URL
     * unique with `t=<Date.now()>` (its runtimePlugin.js `beforeRequest`), so the browser fetches
     * the entry again on every page load. A production host names the release in the entry's URL
     * instead (`?v=1.0.0`, @repo/releases entryUrl), which the browser may cache; the timestamp
     * comes off again here. Under `next dev` it stays: a rebuilt remote keeps its URL.
     */
    beforeRequest(args) {
      if (cacheBusting) return args;
      for (const remote of args.options.remotes) {
        if ('entry' in remote && remote.entry) remote.entry = withoutCacheBusting(remote.entry);
      }
      return args;
    },
    createScript({ url }) {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.crossOrigin = 'anonymous';
      return { script, timeout };
    },
  };
}
