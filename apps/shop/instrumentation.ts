/** How often, and how many times, shop tries to register its release in a registry it cannot write yet. */
const REGISTER_RETRY_MS = 2_000;
const REGISTER_ATTEMPTS = 30;

export async function register() {
  // Everything Node-only stays inside this block: `next dev` compiles this file for the edge
  // runtime too, and leaves out only what this condition rules out.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { initZoneServer } = await import('@repo/observability/server');
    initZoneServer();

    // Starting shop (`next dev` or `next start`) registers the release this server serves, at
    // the origin it listens on, in the release registry (live if no release of shop is live
    // yet): that is how hosts find it. The release is the one compiled in (ZONE_RELEASE,
    // `shop@1.1.0` for a `--release 1.1.0` build); Next sets PORT to the port it listens on
    // before it calls register(). Without a registry (FEDERATION_REGISTRY unset: Next started
    // without `next-zone`) hosts load shop from its topology address: nothing to register in.
    const registry = process.env.FEDERATION_REGISTRY;
    if (registry) {
      const { versionOf } = await import('@repo/releases');
      const { openRegistryStore, registerRelease } = await import('@repo/releases/store');
      const version = versionOf('shop', process.env.ZONE_RELEASE ?? '');
      const origin = `http://localhost:${process.env.PORT}`;
      const by = `${process.env.NODE_ENV === 'development' ? 'dev' : 'start'} of shop@${version}`;
      // A registry that cannot be written (an HTTP registry whose server starts after shop, a
      // wrong token) must not stop shop from serving: it is said, and tried again in the
      // background for a while (timers unref'd: they never keep the server from exiting).
      const store = openRegistryStore(registry);
      const attempt = async (left: number): Promise<void> => {
        try {
          const entry = await registerRelease(store, 'shop', version, origin, { live: 'if-none', by });
          console.log(`shop@${version} registered at ${origin} in ${registry}; live: shop@${entry.live}`);
        } catch (error) {
          if (left === REGISTER_ATTEMPTS) {
            console.error(`shop@${version} at ${origin} could not be registered (trying again for a minute): ${(error as Error).message}`);
          }
          if (left > 1) setTimeout(() => void attempt(left - 1), REGISTER_RETRY_MS).unref();
          else console.error(`shop@${version} at ${origin} is not registered: hosts will not load it until it is`);
        }
      };
      await attempt(REGISTER_ATTEMPTS);
    }
  }
}

export { onRequestError } from '@repo/observability/instrumentation';
