/** Starts the inbox on the topology's port: `npm run start` (or `dev`) in apps/inbox. */

import { localDsn } from '@repo/topology';
import { readConfig } from './config.ts';
import { PROJECTS } from './projects.ts';
import { createInboxServer } from './server.ts';

const config = readConfig();
const inbox = createInboxServer(config);

try {
  const url = await inbox.listen();
  for (const warning of inbox.warnings) console.warn(`inbox: ${warning}`);
  console.log(`inbox: listening on ${url} (UI ${url}/), storing events in ${config.dataDir}`);
  for (const project of PROJECTS) {
    console.log(`inbox: ${project.slug.padEnd(8)} project ${project.id}  DSN ${localDsn(inbox.port, project.slug)}`);
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
