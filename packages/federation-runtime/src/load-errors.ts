/**
 * What both loaders do when a remote fails to load: nothing but let the error through.
 *
 * Why: nextjs-mf answers a failed load with a stand-in module whose component renders nothing,
 * which hides an outage from everyone. The hosts load remotes through @repo/host's loader, which
 * renders a fallback and tells the remote's owner; it can only do that if the error reaches it.
 */
import type { ModuleFederationRuntimePlugin } from '@module-federation/runtime';

export const throwLoadErrors: NonNullable<ModuleFederationRuntimePlugin['errorLoadRemote']> = ({ error }) => {
  throw error;
};
