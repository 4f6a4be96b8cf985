/**
 * Module Federation runtime plugin for browsers: load remote code as CORS scripts.
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

export interface BrowserRemoteLoaderOptions {
  /** Default REMOTE_SCRIPT_TIMEOUT_MS. */
  scriptTimeoutMs?: number;
}

/**
 * Registered for Next's client compiler only. The federation runtime calls the default export
 * without options (nextjs-mf passes runtime plugins by path, never with parameters).
 */
export default function browserRemoteLoader(options: BrowserRemoteLoaderOptions = {}): ModuleFederationRuntimePlugin {
  const timeout = options.scriptTimeoutMs ?? REMOTE_SCRIPT_TIMEOUT_MS;
  return {
    name: 'zone-browser-remote-loader',
    errorLoadRemote: throwLoadErrors,
    createScript({ url }) {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.crossOrigin = 'anonymous';
      return { script, timeout };
    },
  };
}
