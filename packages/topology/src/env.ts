import type { Env } from './index.ts';

/**
 * The environment variables the topology reads, each written out as a `process.env.X` member
 * expression: Next inlines exactly those expressions into browser bundles (through the `env` the
 * config factory declares), so the same code resolves the same topology on the server and in the
 * browser. Keep this list in step with ZONE_SPECS; a unit test checks it.
 */
export function topologyEnv(): Env {
  return {
    HOME_PORT: process.env.HOME_PORT,
    SHOP_PORT: process.env.SHOP_PORT,
    CHECKOUT_PORT: process.env.CHECKOUT_PORT,
    INBOX_PORT: process.env.INBOX_PORT,
    SENTRY_DSN_HOME: process.env.SENTRY_DSN_HOME,
    SENTRY_DSN_SHOP: process.env.SENTRY_DSN_SHOP,
    SENTRY_DSN_CHECKOUT: process.env.SENTRY_DSN_CHECKOUT,
  };
}

/**
 * The zone this code was built for. The config factory sets ZONE_NAME in each app's `env`, so
 * it is inlined into that app's server and browser bundles (and shared packages compiled into
 * it); it is undefined outside a zone build (tests, tools).
 */
export function builtZoneName(): string | undefined {
  return process.env.ZONE_NAME;
}
