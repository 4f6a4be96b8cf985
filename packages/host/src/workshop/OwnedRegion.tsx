import type { ReactNode } from 'react';
import { releaseName, type RemoteLocation } from '@repo/releases';
import { ZONE_SPECS } from '@repo/topology';

/** What marks a region of the page as another team's, for the owners view and for tools. */
export function ownedRegionAttributes(location: Pick<RemoteLocation, 'remote' | 'version'>) {
  const owner = ZONE_SPECS[location.remote].owner;
  const release = releaseName(location);
  return {
    'data-owned-region': '',
    'data-owner': owner,
    'data-owner-release': release,
    'data-owner-label': `${owner} · ${release}`,
  } as const;
}

/**
 * The element around everything a remote renders on a host's page, its fallback included
 * (workshop.css labels it a fallback when it holds `[data-fallback]`). Rendered from the page's
 * remote state, so the server's HTML and the hydrating browser have the same markup.
 */
export function OwnedRegion({ location, children }: { location: Pick<RemoteLocation, 'remote' | 'version'>; children: ReactNode }) {
  return (
    <div className="owned-region" {...ownedRegionAttributes(location)}>
      {children}
    </div>
  );
}
