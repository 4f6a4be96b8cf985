import type { RemoteLocation } from '@repo/releases';
import { HeaderFallback } from '../HeaderFallback';
import { RemoteContext, RemoteSlot, type RemoteState } from '../remote/RemoteSlot';
import { loadPageRemotes } from '../remote/state';

/**
 * An address where nothing listens: connecting is refused at once. Port 2: privileged, so
 * nothing of ours listens there, and not on the fetch standard's list of blocked ports (port 1
 * is, and would fail as "bad port" before any connection is tried).
 */
export const UNREACHABLE_ORIGIN = 'http://127.0.0.1:2';

/**
 * The lab's outage: this one page loads shop's live release as if its assets had vanished, through
 * exactly the path a real outage takes (see ../remote/loader.ts): the bounded load fails, shop's
 * project gets one RemoteUnavailableError naming the release that did not load, and the Header's
 * fallback renders. Each visit is an outage of its own (its own scope), so each visit reports;
 * a real outage reports once, however many pages it hits.
 */
export async function simulateOutage(live: RemoteState | undefined): Promise<RemoteState> {
  if (!live) throw new Error('The lab needs the host app around it (no remote state on the context).');
  const vanished: RemoteLocation = { ...live.location, origin: UNREACHABLE_ORIGIN };
  const scope = `lab-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return loadPageRemotes(['./Header'], vanished, scope);
}

export function RemoteDownScenario({ outage }: { outage?: RemoteState }) {
  if (!outage) return <HeaderFallback />;
  return (
    <RemoteContext.Provider value={outage}>
      <RemoteSlot expose="./Header" props={{}} fallback={<HeaderFallback />} />
    </RemoteContext.Provider>
  );
}
