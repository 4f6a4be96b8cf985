/**
 * The zone's identity and the topology, compiled into its bundles as `process.env.*`: a browser
 * has no environment, and it must resolve the same ports and DSNs as the server that built it.
 */
import type { NextConfig } from 'next';
import type { ZoneBuild } from '../zone.ts';

export function withZoneEnv(config: NextConfig, zone: ZoneBuild): NextConfig {
  return { ...config, env: { ...zone.bundleEnv, ...config.env } };
}
