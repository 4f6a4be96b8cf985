import { loadScript, loadScriptNode } from '@module-federation/runtime';
import { lazy, type ComponentType } from 'react';
import { OwnedError } from '@repo/observability/owned-error';
import { Contained } from '../Contained';
import { HeaderFallback } from '../HeaderFallback';

/**
 * An address where nothing listens: connecting is refused at once, so the failure is immediate
 * (a hung remote is another story, handled by the server loader's timeout). Port 2: privileged,
 * so nothing of ours listens there, and not on the fetch standard's list of blocked ports (port 1
 * is, and would fail as "bad port" before any connection is tried).
 */
export const UNREACHABLE_SHOP_ENTRY = 'http://127.0.0.1:2/_next/static/chunks/remoteEntry.js';

/** Shop's remote could not be loaded. Declares shop as its owner: no stack frame of shop's exists. */
export class RemoteUnavailableError extends OwnedError {
  override name = 'RemoteUnavailableError';
}

/**
 * Loads shop's remote entry from the unreachable address with the federation SDK's own entry
 * loaders (Node's on the server, a script tag in the browser). Not through the host's federation
 * instance, and not through an instance of its own: instances are global, and every later render
 * would then try the dead address again (nextjs-mf's flushChunks walks all of them).
 */
async function loadUnreachableEntry(): Promise<void> {
  if (typeof window === 'undefined') {
    await loadScriptNode(UNREACHABLE_SHOP_ENTRY, { attrs: { name: 'shop', globalName: 'shop' } });
  } else {
    await loadScript(UNREACHABLE_SHOP_ENTRY, { attrs: { crossorigin: 'anonymous' } });
  }
}

const UnreachableShopHeader = lazy(async (): Promise<{ default: ComponentType }> => {
  let cause: unknown = new Error('the entry loaded, but the scenario expects it not to');
  try {
    await loadUnreachableEntry();
  } catch (error) {
    cause = error;
  }
  const message = `shop's remote could not be loaded from ${UNREACHABLE_SHOP_ENTRY}`;
  return {
    // A new error on every render: each page that cannot show shop's Header reports it.
    default: () => {
      throw new RemoteUnavailableError('shop', message, { cause });
    },
  };
});

export function RemoteDownScenario() {
  return (
    <Contained fallback={<HeaderFallback />}>
      <UnreachableShopHeader />
    </Contained>
  );
}
