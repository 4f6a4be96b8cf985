/**
 * Where each kind of build goes. `next dev` and `next build` never share a directory: a dev
 * server rewrites its directory as it compiles, and when that was `.next`, a later `turbo run
 * build` that found its outputs in the cache could leave the dev output in place and every
 * `next start` failing with "Could not find a production build". With `.next` written only by
 * `next build`, switching between dev and production cannot take a zone's build away.
 */
import type { NextConfig } from 'next';
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants.js';
import type { ZoneBuild } from '../zone.ts';

/** The production build, what `next start` serves (turbo's `build` output). */
export const PRODUCTION_DIST_DIR = '.next';
/** Every `next dev` writes under a directory starting with this; never a build output. */
export const DEV_DIST_DIR = '.next-dev';
/** The benchmark's control build (see ZoneBuild.control). */
export const CONTROL_DIST_DIR = '.next-control';

/** Where a release build lives, beside the zone's normal `.next`. */
export function releaseDistDir(version: string): string {
  return `.releases/${version}`;
}

export function distDirOf(zone: Pick<ZoneBuild, 'phase' | 'control' | 'releaseVersion'>): string {
  if (zone.phase === PHASE_DEVELOPMENT_SERVER) {
    if (zone.control) return `${DEV_DIST_DIR}-control`;
    return zone.releaseVersion ? `${DEV_DIST_DIR}-release-${zone.releaseVersion}` : DEV_DIST_DIR;
  }
  if (zone.control) return CONTROL_DIST_DIR;
  return zone.releaseVersion ? releaseDistDir(zone.releaseVersion) : PRODUCTION_DIST_DIR;
}

export function withDistDir(config: NextConfig, zone: ZoneBuild): NextConfig {
  return { ...config, distDir: distDirOf(zone) };
}
