/**
 * The browser loads, before React hydrates, the remote modules the server rendered.
 *
 * Hydration must see what the server rendered. If shop's Header is still loading when React
 * hydrates, its boundary suspends, and if that boundary had failed on the server (a broken
 * release), React reports "the server could not finish this Suspense boundary" (#419) on the way.
 * A static `import 'shop/Header'` made webpack wait for the remote before the app module ran; this
 * does the same for the release the server chose, bounded by the browser's load deadline.
 */
import { remoteLoader } from './hostLoader';
import type { RemoteState } from './RemoteSlot';
import { rememberBrowserPage } from './state';

function serverRemoteState(): RemoteState | undefined {
  const data = document.getElementById('__NEXT_DATA__')?.textContent;
  if (!data) return undefined;
  try {
    return (JSON.parse(data) as { props?: { remote?: RemoteState } }).props?.remote;
  } catch {
    return undefined;
  }
}

export async function loadWhatTheServerRendered(): Promise<void> {
  const remote = serverRemoteState();
  if (!remote) return;
  rememberBrowserPage(remote);
  const rendered = Object.entries(remote.availability).filter(([, availability]) => availability === 'up');
  await Promise.all(rendered.map(([expose]) => remoteLoader.ensureExposed(remote.location, expose)));
}
