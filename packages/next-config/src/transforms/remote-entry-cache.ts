/**
 * How long browsers keep a remote's entry. Next serves everything under `_next/static` as
 * `immutable` for a year unless a header says otherwise (next/dist/server/lib/router-server.js,
 * where it sets Cache-Control only when none is set). That is right for an entry whose URL names
 * its release (`remoteEntry.js?v=1.0.0`, @repo/releases entryUrl): the URL changes when the release
 * does. An entry asked for without a release (a host with no registry, a probe) must be checked
 * again on every load, or a browser would keep running the release it first saw.
 */
import type { NextConfig } from 'next';
import { ENTRY_VERSION_PARAM } from '@repo/releases';
import { remoteEntryPath } from '@repo/topology';
import type { ZoneBuild } from '../zone.ts';

export const UNVERSIONED_ENTRY_HEADERS = (['browser', 'server'] as const).map((runtime) => ({
  source: remoteEntryPath(runtime),
  missing: [{ type: 'query' as const, key: ENTRY_VERSION_PARAM }],
  headers: [{ key: 'Cache-Control', value: 'no-cache' }],
}));

export function withRemoteEntryCache(config: NextConfig, zone: ZoneBuild): NextConfig {
  if (!zone.zone.isRemote) return config;
  const own = config.headers;
  return { ...config, headers: async () => [...((await own?.()) ?? []), ...UNVERSIONED_ENTRY_HEADERS] };
}
