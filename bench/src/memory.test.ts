import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { freePort } from '@repo/testkit/ports';
import { startProcess, stopAll } from '@repo/testkit/process';
import {
  decodeFrames,
  encodeFrame,
  groupOfStat,
  heapAfterCollection,
  listeningInodes,
  openInspector,
  rssMiB,
  rssMiBOfStatus,
  servingProcess,
  slopePerMinute,
  steadySamples,
  type RssSample,
} from './memory.ts';

after(() => stopAll());

describe('reading /proc', () => {
  it("takes VmRSS from a process's status, in MiB", () => {
    assert.equal(rssMiBOfStatus('Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  204800 kB\nThreads:\t11\n'), 200);
    assert.throws(() => rssMiBOfStatus('Name:\tkthreadd\n'), /no VmRSS/);
  });

  it('finds the inodes of sockets listening on a port, and only listening ones', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:1B58 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1B58 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1',
      '   2: 00000000:1B59 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    assert.deepEqual(listeningInodes(table, 7000), ['4242']);
    assert.deepEqual(listeningInodes(table, 7001), ['4444']);
    assert.deepEqual(listeningInodes(table, 7002), []);
  });

  it("reads the process group after the command, however odd the command's name", () => {
    assert.equal(groupOfStat('4321 (next-server (v15)) S 4300 4299 4299 0 -1 4194560'), 4299);
  });

  it('finds, in a group started as npm starts a server (a shell, then node), the process that listens', async () => {
    const port = await freePort();
    const server = await startProcess({
      name: 'shell and node',
      command: 'sh',
      args: ['-c', `node -e "require('node:http').createServer((q, s) => s.end('ok')).listen(${port})"; true`],
      readyUrl: `http://localhost:${port}/`,
    });
    const serving = servingProcess(server.pid, server.origin);
    assert.notEqual(serving, server.pid, 'not the shell that leads the group');
    assert.ok(rssMiB(serving) > 10, 'a node process holds more than 10 MiB');
    await server.stop();
  });
});

describe('judging growth', () => {
  const line = (start: number, perMinute: number, seconds: number, every: number): RssSample[] =>
    Array.from({ length: seconds / every + 1 }, (_, i) => ({ at: i * every, mib: start + (perMinute * i * every) / 60 }));

  it('is the least-squares slope, in MiB per minute', () => {
    assert.equal(slopePerMinute(line(200, 0, 240, 10)), 0);
    assert.ok(Math.abs(slopePerMinute(line(200, 3, 240, 10)) - 3) < 1e-9);
    assert.equal(slopePerMinute([{ at: 0, mib: 5 }]), 0);
  });

  it('is not fooled by the saw-tooth of garbage collection, where first and last samples would be', () => {
    // 15 MiB up, then collected, every 40 s: the first sample at a trough, the last at a peak.
    const sawTooth = Array.from({ length: 24 }, (_, i) => ({ at: i * 10, mib: 200 + (i % 4) * 5 }));
    assert.equal((sawTooth.at(-1)?.mib ?? 0) - (sawTooth[0]?.mib ?? 0), 15);
    assert.ok(Math.abs(slopePerMinute(sawTooth)) < 1, `slope ${slopePerMinute(sawTooth)}`);
  });

  it('judges only what follows the warm-up', () => {
    const samples = [...line(100, 60, 50, 10), ...line(150, 0, 250, 10).map((s) => ({ ...s, at: s.at + 60 }))];
    assert.equal(steadySamples(samples, 60)[0]?.at, 60);
    assert.equal(slopePerMinute(steadySamples(samples, 60)), 0);
  });
});

describe("a server's heap after a full collection, through its inspector", () => {
  it('frames WebSocket text both ways, short, 16-bit and 64-bit lengths, split anywhere', () => {
    for (const text of ['{"id":1}', 'x'.repeat(300), 'y'.repeat(70_000)]) {
      const frame = encodeFrame(text, Buffer.from([1, 2, 3, 4]));
      assert.deepEqual(decodeFrames(frame), { messages: [text], rest: Buffer.alloc(0) });
      const cut = Math.floor(frame.length / 2);
      const partial = decodeFrames(Buffer.concat([frame, frame.subarray(0, cut)]));
      assert.deepEqual(partial.messages, [text]);
      assert.equal(partial.rest.length, cut, 'an incomplete frame waits for the rest');
    }
  });

  it("opens a running server's inspector on a port of its own and reads the heap that a collection leaves", async () => {
    const port = await freePort();
    const server = await startProcess({
      name: 'a server holding 50 MiB',
      command: process.execPath,
      args: ['-e', `const kept = Array.from({ length: 50 }, () => Array.from({ length: 2 ** 17 }, (_, i) => i + 0.5)); require('node:http').createServer((q, s) => s.end(String(kept.length))).listen(${port})`],
      env: { NODE_OPTIONS: '--inspect-port=0' },
      readyUrl: `http://localhost:${port}/`,
    });
    const serving = servingProcess(server.pid, server.origin);
    const inspector = await openInspector(serving, port);
    assert.ok(inspector !== undefined && inspector !== port);
    assert.equal(await openInspector(serving, port), inspector, 'once open, the same port');
    const heap = await heapAfterCollection(inspector);
    assert.ok(heap > 50 && heap < 80, `${heap} MiB: the 50 MiB of doubles it holds, and little else`);
    await server.stop();
  });
});
