import { useContext } from 'react';
import type { RemoteLocation } from '@repo/releases';
import { HeaderFallback } from '../HeaderFallback';
import { createHostLoader } from '../remote/hostLoader';
import type { Availability } from '../remote/loader';
import { RemoteContext, RemoteSlot } from '../remote/RemoteSlot';
import { OwnedRegion } from '../workshop/OwnedRegion';
import { UNREACHABLE_ORIGIN } from './scenarios';

/**
 * The lab's outage: this one page loads shop's live release as if its assets had vanished, through
 * exactly the path a real outage takes (see ../remote/loader.ts): the bounded load fails, shop's
 * project gets one RemoteUnavailableError naming the release that did not load, and the Header's
 * fallback renders. Each visit is an outage of its own (a loader of its own, whose state nothing
 * else sees), so each visit reports; a real outage reports once, however many pages it hits.
 */
export async function simulateOutage(live: RemoteLocation | undefined): Promise<Availability> {
  if (!live) throw new Error('The lab needs the host app around it (no remote state on the context).');
  const vanished: RemoteLocation = { ...live, origin: UNREACHABLE_ORIGIN };
  // A loader for this visit only: once it has answered, nothing of it is kept (the federation
  // runtime would otherwise keep one registration per visit for the life of the server).
  const loader = createHostLoader();
  try {
    return await loader.ensureExposed(vanished, './Header');
  } finally {
    loader.dispose();
  }
}

/**
 * The fallback Header, as a slot renders it for a module that is down. Only a build with shop's
 * modules compiled in (the benchmark's control build) has nothing to lose: there the live Header.
 */
export function RemoteDownScenario({ outage }: { outage?: Availability }) {
  const remote = useContext(RemoteContext);
  if (outage !== 'up') {
    // Shop's place on the page, though shop's code never came: owned by shop, as a fallback.
    if (!remote) return <HeaderFallback />;
    return (
      <OwnedRegion location={remote.location}>
        <HeaderFallback />
      </OwnedRegion>
    );
  }
  return <RemoteSlot expose="./Header" props={{}} fallback={<HeaderFallback />} />;
}
