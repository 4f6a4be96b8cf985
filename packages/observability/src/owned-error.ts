import { isZoneName, type Owner } from '@repo/topology';

/**
 * An error that names its owner. For failures no stack frame can attribute: when shop's remote
 * never loads, every frame is the host's, yet the problem is shop's to fix. `routeToOwner` reads
 * the owner from the error itself.
 */
export class OwnedError extends Error {
  constructor(
    readonly owner: Owner,
    message: string,
    options?: ErrorOptions & {
      /** The owner's release this is about, when known (`shop@1.0.0`: the release that failed to load). */
      release?: string;
    },
  ) {
    super(message, options);
    this.release = options?.release;
  }

  readonly release: string | undefined;
}

/** The owner an error declares, if it is an OwnedError (or looks like one across bundles). */
export function declaredOwner(error: unknown): Owner | undefined {
  if (typeof error !== 'object' || error === null || !('owner' in error)) return undefined;
  const owner = (error as { owner: unknown }).owner;
  return typeof owner === 'string' && isZoneName(owner) ? owner : undefined;
}

/** The release an OwnedError names (if any, and only if it is the declared owner's). */
export function declaredRelease(error: unknown): string | undefined {
  const owner = declaredOwner(error);
  if (!owner || !('release' in (error as object))) return undefined;
  const release = (error as { release: unknown }).release;
  return typeof release === 'string' && release.startsWith(`${owner}@`) ? release : undefined;
}
