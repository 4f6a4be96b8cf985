/**
 * The remote state of a page: which release it uses and which of the page's remote modules
 * loaded. Decided once per page, on the server for the first page and in the browser for client
 * navigations (which keep the release the page was served with; a new page load follows the
 * pointer).
 */
import type { NextPageContext } from 'next';
import type { RemoteLocation } from '@repo/releases';
import { remoteLoader } from './hostLoader';
import type { Availability } from './loader';
import type { ShopExpose } from './modules';
import type { RemoteState } from './RemoteSlot';

/** A page that renders remote modules says which, so they are loaded before it renders. */
export interface RemotePageStatics {
  remoteModules?: readonly ShopExpose[];
}

/** The page context, with the remote state the host app decided for this page. */
export interface HostPageContext extends NextPageContext {
  remote?: RemoteState;
}

/**
 * The remote state of each request being rendered, for the document (which gets the request but
 * not the app's props) to preload the chunks the render used.
 */
export const remoteStateOfRequest = new WeakMap<object, RemoteState>();

/** Every host page has shop's Header. */
const ALWAYS: readonly ShopExpose[] = ['./Header'];

let browserLocation: RemoteLocation | null = null;

/** The browser keeps the release its first page was served with. */
export function rememberBrowserLocation(location: RemoteLocation): void {
  if (typeof window !== 'undefined' && !browserLocation) browserLocation = location;
}

async function locationOfThisPage(): Promise<RemoteLocation> {
  if (typeof window === 'undefined') {
    // Server-only (it reads the registry file); Next drops this branch from browser bundles.
    const { liveRelease } = await import('./location.server');
    return liveRelease('shop');
  }
  if (!browserLocation) throw new Error('The browser has no shop release yet: the first page sets it.');
  return browserLocation;
}

/** Loads the page's remote modules (each bounded in time) and says which are up. */
export async function loadPageRemotes(remoteModules: readonly ShopExpose[] = []): Promise<RemoteState> {
  const location = await locationOfThisPage();
  const exposes = [...new Set([...ALWAYS, ...remoteModules])];
  const availability: Partial<Record<ShopExpose, Availability>> = {};
  await Promise.all(
    exposes.map(async (expose) => {
      availability[expose] = await remoteLoader.ensureExposed(location, expose);
    }),
  );
  return { location, availability };
}
