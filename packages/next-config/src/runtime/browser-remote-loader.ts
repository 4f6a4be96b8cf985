/**
 * Module Federation runtime plugin for browsers: load remote code as CORS scripts.
 *
 * Why: a script from another origin that is loaded without `crossorigin` is "opaque" to the
 * page. When shop's code (served by :3001) throws inside checkout's page (:3002), the browser
 * hands `window.onerror` only "Script error." with no stack, so Sentry can neither see the error
 * nor tell whose it is (its inbound filter drops such events). nextjs-mf's own plugin creates the
 * remote's script tags and removes `crossorigin`; this plugin, registered after it, creates them
 * with `crossorigin="anonymous"`. Shop answers with `Access-Control-Allow-Origin` on its static
 * files (see createNextConfig) and webpack loads chunks the same way (`crossOriginLoading`).
 */
import type { ModuleFederationRuntimePlugin } from '@module-federation/runtime';

/** How long a browser waits for a remote's script before the runtime gives up on it. */
export const REMOTE_SCRIPT_TIMEOUT_MS = 8_000;

/** Registered for Next's client compiler only (see federationOptions). */
export default function browserRemoteLoader(): ModuleFederationRuntimePlugin {
  return {
    name: 'zone-browser-remote-loader',

    // nextjs-mf answers a failed load with a stand-in module whose component renders nothing,
    // which hides an outage from everyone. The hosts load remotes through @repo/host's loader,
    // which renders a fallback and tells the remote's owner: let the error reach it.
    errorLoadRemote({ error }) {
      throw error;
    },
    createScript({ url }) {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.crossOrigin = 'anonymous';
      return { script, timeout: REMOTE_SCRIPT_TIMEOUT_MS };
    },
  };
}
