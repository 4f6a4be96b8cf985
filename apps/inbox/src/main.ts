/**
 * Starts the inbox on the topology's port: `npm run start` (or `dev`) in apps/inbox.
 * Logs no secret: client keys are shown shortened, webhook URLs by origin, the read and upload tokens never.
 */

import { join } from 'node:path';
import { DEFAULT_INBOX_UPLOAD_TOKEN, INBOX_ORG, ZONE_NAMES } from '@repo/topology';
import { redactUrl } from './alerts.ts';
import { type InboxConfig, exposureWarning, readConfig } from './config.ts';
import { PROJECTS } from './projects.ts';
import { createInboxServer } from './server.ts';
import { createDevFrameResolver, zoneDevOrigins } from './symbolicate/dev-frames.ts';

function loadConfig(): InboxConfig {
  try {
    return readConfig();
  } catch (error) {
    console.error(`inbox: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

const config = loadConfig();
const inbox = createInboxServer({
  dataDir: config.dataDir,
  port: config.port,
  host: config.host,
  readToken: config.readToken,
  uploadToken: config.uploadToken,
  rateLimit: config.rateLimit,
  alerts: { webhooks: config.webhooks },
  registry: config.registry,
  registryFile: config.registryFile,
  registryToken: config.registryToken,
  allowedOrigins: config.allowedOrigins,
  // A dev event's frames name webpack's transformed modules; the zone's dev server knows the source.
  resolveDevFrames: createDevFrameResolver({ origins: zoneDevOrigins }),
});

try {
  const url = await inbox.listen();
  for (const warning of inbox.warnings) console.warn(`inbox: ${warning}`);
  console.log(`inbox: listening on ${url} (UI ${url}/), storing events in ${config.dataDir}`);
  for (const project of PROJECTS) {
    console.log(
      `inbox: ${project.slug.padEnd(8)} project ${project.id}, key ${project.publicKey.slice(0, 4)}…` +
        ` (full DSN: ${url}/api/0/projects/local/${project.slug}/keys/)`,
    );
  }
  console.log(`inbox: release registry ${config.registry} (the Releases panel of /teams/shop moves its pointers)`);
  console.log(`inbox: serves ${config.registryFile} as an HTTP registry at ${url}/api/releases/registry.json`);
  console.log(`inbox: release health: ${url}/api/0/organizations/${INBOX_ORG}/sessions/?field=sum(session)&groupBy=release`);
  console.log(`inbox: read API ${config.readToken ? 'requires the read token' : 'is open (no INBOX_READ_TOKEN)'}`);
  console.log(
    `inbox: source maps: sentry-cli --url ${url} sourcemaps upload --org ${INBOX_ORG} ..., with ` +
      `${config.uploadToken === DEFAULT_INBOX_UPLOAD_TOKEN ? 'the default' : 'its own (INBOX_UPLOAD_TOKEN)'} upload token; ` +
      `bundles in ${join(config.dataDir, 'artifacts')}`,
  );
  console.log(`inbox: pages of ${config.allowedOrigins.join(', ')} may read it across origins`);
  const exposure = exposureWarning(config);
  if (exposure) {
    const lines = exposure.split('\n').map((line) => `inbox: ${line}`);
    console.warn(`\n${'!'.repeat(100)}\n${lines.join('\n')}\n${'!'.repeat(100)}\n`);
  }
  if (config.rateLimit) {
    console.log(`inbox: rate limit ${config.rateLimit.events} events per ${config.rateLimit.windowSeconds} s per project`);
  }
  for (const owner of ZONE_NAMES) {
    const webhook = config.webhooks[owner];
    if (webhook) console.log(`inbox: alerts for ${owner} go to ${redactUrl(webhook)}`);
  }
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`inbox: could not start on ${config.host}:${config.port}: ${reason}`);
  process.exit(1);
}

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) process.exit(1);
  stopping = true;
  console.log(`inbox: ${signal}, finishing requests under way and closing the store`);
  inbox.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('inbox: error while closing', error);
      process.exit(1);
    },
  );
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
