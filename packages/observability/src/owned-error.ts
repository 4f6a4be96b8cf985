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
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The owner an error declares, if it is an OwnedError (or looks like one across bundles). */
export function declaredOwner(error: unknown): Owner | undefined {
  if (typeof error !== 'object' || error === null || !('owner' in error)) return undefined;
  const owner = (error as { owner: unknown }).owner;
  return typeof owner === 'string' && isZoneName(owner) ? owner : undefined;
}
