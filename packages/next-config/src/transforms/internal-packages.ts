/** Workspace packages the zones import as TypeScript source ("just in time" packages). */
import type { NextConfig } from 'next';

export const INTERNAL_PACKAGES = ['@repo/topology', '@repo/host', '@repo/observability', '@repo/releases'];

export function withInternalPackages(config: NextConfig): NextConfig {
  return { ...config, transpilePackages: [...INTERNAL_PACKAGES, ...(config.transpilePackages ?? [])] };
}
