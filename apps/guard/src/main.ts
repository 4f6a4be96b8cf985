/**
 * Starts the release guard: `npm run start` (or `dev`) in apps/guard, and with the rest of the
 * stack from the root. It serves nothing; it logs what it watches, each evaluation whose figures
 * changed, and each rollback. Logs no secret: tokens never, webhook URLs by origin.
 */
import { openRegistryStore } from '@repo/releases/store';
import { ZONE_NAMES } from '@repo/topology';
import { type GuardConfig, readConfig } from './config.ts';
import { createGuard } from './guard.ts';
import { createHealthClient } from './health.ts';
import { webhookOrigin } from './webhook.ts';

function loadConfig(): GuardConfig {
  try {
    return readConfig();
  } catch (error) {
    console.error(`guard: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

const config = loadConfig();
const guard = createGuard({
  store: openRegistryStore(config.registry),
  health: createHealthClient(config.health),
  rule: config.rule,
  windowMs: config.windowMs,
  intervalMs: config.intervalMs,
  webhooks: config.webhooks,
});

const { health, rule } = config;
console.log(
  `guard: watching the canaries of ${config.registry} every ${config.intervalMs} ms; health from ${health.url} ` +
    `(org ${health.org}, ${health.token ? 'with a token' : 'no token'}), window ${config.windowMs / 1000} s, ` +
    `at least ${rule.minSessions} sessions and ${rule.minFailed} failed before a rollback`,
);
for (const owner of ZONE_NAMES) {
  const webhook = config.webhooks[owner];
  console.log(`guard: ${owner}: project ${health.projects[owner]}, ${webhook ? `rollbacks told to ${webhookOrigin(webhook)}` : 'no webhook'}`);
}
guard.start();

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) process.exit(1);
  stopping = true;
  console.log(`guard: ${signal}, finishing the evaluation under way`);
  guard.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('guard: error while stopping', error);
      process.exit(1);
    },
  );
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
