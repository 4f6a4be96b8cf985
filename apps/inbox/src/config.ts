/**
 * The inbox's configuration: the only module of this package that reads the environment.
 *
 * - Port: `topology.inbox.port` (9000, or `INBOX_PORT`, read by @repo/topology).
 * - `INBOX_DATA_DIR`: where events are stored; default `apps/inbox/.data` (git-ignored). A
 *   relative path is taken from the current directory.
 * - `INBOX_HOST`: the address to listen on; default `127.0.0.1`. DSNs and browsers say
 *   `localhost`; on this machine `localhost` resolves to 127.0.0.1 only (checked with
 *   `getent ahosts localhost` and Node's dns.lookup), and browsers and Node's fetch fall back from
 *   ::1 to 127.0.0.1 where `localhost` resolves to both, so loopback IPv4 serves them all.
 *   Set `INBOX_HOST=::1` (or `localhost`) on a machine where only ::1 works.
 */

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topology } from '@repo/topology';

export interface InboxConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
}

const DEFAULT_DATA_DIR = fileURLToPath(new URL('../.data', import.meta.url));
const DEFAULT_HOST = '127.0.0.1';

export function readConfig(env: Readonly<Record<string, string | undefined>> = process.env): InboxConfig {
  const dataDir = env.INBOX_DATA_DIR?.trim();
  const host = env.INBOX_HOST?.trim();
  return {
    dataDir: dataDir ? resolve(dataDir) : DEFAULT_DATA_DIR,
    host: host || DEFAULT_HOST,
    port: topology.inbox.port,
  };
}
