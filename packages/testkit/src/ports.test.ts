import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort, freePorts } from './ports.ts';

async function canListen(port: number): Promise<void> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  await new Promise((resolve) => server.close(resolve));
}

describe('freePort', () => {
  it('names a port a server can listen on', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    await canListen(port);
  });

  it('freePorts names distinct ports, each free', async () => {
    const ports = await freePorts(4);
    assert.equal(new Set(ports).size, 4);
    for (const port of ports) await canListen(port);
  });
});
