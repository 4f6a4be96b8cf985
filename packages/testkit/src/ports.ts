/**
 * Free TCP ports for servers a test or benchmark starts, so its runs never meet the default ports
 * (3000-3002, 9000) a developer's servers use. The port is free when read; a test starts its
 * server on it right away, and startProcess refuses a URL that already answers.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

const LOOPBACK = '127.0.0.1';

async function listenOnAny(host: string): Promise<Server> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  return server;
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP server');
  return address.port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/** A port nothing listens on: the kernel's pick for port 0. */
export async function freePort(host = LOOPBACK): Promise<number> {
  const server = await listenOnAny(host);
  const port = portOf(server);
  await close(server);
  return port;
}

/** `count` distinct free ports (all held open together while picked, so none repeats). */
export async function freePorts(count: number, host = LOOPBACK): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnAny(host));
    return servers.map(portOf);
  } finally {
    await Promise.all(servers.map(close));
  }
}
