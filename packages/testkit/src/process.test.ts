import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { freePort, freePorts } from './ports.ts';
import { answers, startProcess, stopAll, waitForUrl, type RunningProcess, type StartOptions } from './process.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/http-server.mjs', import.meta.url));
const PROCESS_MODULE = fileURLToPath(new URL('./process.ts', import.meta.url));

after(stopAll);

function fixture(port: number, env: Record<string, string> = {}, extra: Partial<StartOptions> = {}): Promise<RunningProcess> {
  return startProcess({
    name: 'fixture',
    command: process.execPath,
    args: [FIXTURE, String(port)],
    env,
    readyUrl: `http://127.0.0.1:${port}/`,
    ...extra,
  });
}

/** Whether a TCP connection to the port is refused: nothing listens there. */
async function refused(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`);
    return false;
  } catch (error) {
    return ((error as Error).cause as { code?: string } | undefined)?.code === 'ECONNREFUSED';
  }
}

/** Linux's process state letter: T is stopped. */
function state(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] ?? '';
}

describe('startProcess', () => {
  it('returns once the URL answers, and stop ends the process', async () => {
    const port = await freePort();
    const server = await fixture(port);
    assert.equal(server.url, `http://127.0.0.1:${port}/`);
    assert.equal(server.origin, `http://127.0.0.1:${port}`);
    const body = (await (await fetch(server.url)).json()) as { pid: number };
    assert.equal(body.pid, server.pid);
    assert.match(server.output(), new RegExp(`fixture ${server.pid} starting on ${port}`));
    await server.stop();
    assert.equal(await server.exited, null, 'ended by SIGTERM, so no exit code');
    assert.ok(await refused(port));
  });

  it('stops the whole process group, children included', async () => {
    const [port, childPort] = (await freePorts(2)) as [number, number];
    const server = await fixture(port, { CHILD_PORT: String(childPort) });
    await waitForUrl(`http://127.0.0.1:${childPort}/`, { timeoutMs: 10_000 });
    await server.stop();
    assert.ok(await refused(childPort), "the child's server is gone too");
  });

  it('waits past answers the ready check rejects (503 by default)', async () => {
    const port = await freePort();
    const server = await fixture(port, { UNREADY_FOR: '3' });
    const body = (await (await fetch(server.url)).json()) as { requests: number };
    assert.ok(body.requests >= 5, `3 refused, 1 accepted, then ours: ${body.requests}`);
    await server.stop();
  });

  it('takes a ready predicate', async () => {
    const port = await freePort();
    const server = await fixture(port, {}, { ready: (response) => response.headers.get('content-type') === 'application/json' });
    assert.ok(await answers(server.url, { ready: (response) => response.ok }));
    await server.stop();
  });

  it('fails with the output when the process exits before answering', async () => {
    const port = await freePort();
    await assert.rejects(fixture(port, { EXIT_CODE: '3' }), (error: Error) => {
      assert.match(error.message, /fixture exited \(code 3\)/);
      assert.match(error.message, new RegExp(`starting on ${port}`));
      return true;
    });
  });

  it('fails naming the process when the URL does not answer in time, and stops it', async () => {
    const port = await freePort();
    let pid = 0;
    // The pid comes from the message, not from the fixture's output: on a loaded machine node may
    // not have started (and printed) within the second this test allows.
    await assert.rejects(fixture(port, { NEVER_LISTEN: '1' }, { timeoutMs: 1_000 }), (error: Error) => {
      assert.match(error.message, /did not answer within 1\.0 s/);
      const match = /^fixture \(pid (\d+)\)/.exec(error.message);
      assert.ok(match, error.message);
      pid = Number(match[1]);
      return true;
    });
    assert.ok(pid > 0);
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  });

  it('is ready by its output when it serves nothing, and fails when it exits first', async () => {
    const port = await freePort();
    let seen = '';
    const watcher = await startProcess({
      onOutput: (text) => (seen += text),
      name: 'watcher',
      command: process.execPath,
      args: [FIXTURE, String(port)],
      env: { NEVER_LISTEN: '1' },
      readyOutput: /starting on \d+/,
    });
    assert.equal(watcher.url, '');
    assert.match(seen, /starting on/, 'every chunk reaches onOutput');
    assert.match(watcher.output(), new RegExp(`fixture ${watcher.pid} starting on ${port}`));
    await watcher.stop();
    await assert.rejects(
      startProcess({ name: 'quitter', command: process.execPath, args: [FIXTURE, String(port)], env: { EXIT_CODE: '4' }, readyOutput: /never printed/ }),
      /quitter exited \(code 4\) before printing \/never printed\//,
    );
  });

  it("refuses to start when the URL already answers: someone else's server", async () => {
    const other = createServer((_request, response) => response.writeHead(500).end());
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const address = other.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await assert.rejects(fixture(port), /already answers/);
    } finally {
      other.close();
    }
  });

  it('freezes and thaws the group', async () => {
    const port = await freePort();
    const server = await fixture(port);
    server.freeze();
    // SIGSTOP is asynchronous: the kernel marks the process stopped once it is delivered.
    const until = Date.now() + 5_000;
    while (state(server.pid) !== 'T' && Date.now() < until) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(state(server.pid), 'T');
    server.thaw();
    assert.ok(await answers(server.url));
    server.freeze();
    await server.stop(); // from frozen: stop thaws it first, so SIGTERM is acted on
    assert.ok(await refused(port));
  });

  it('fails when the command cannot be spawned', async () => {
    const port = await freePort();
    await assert.rejects(
      startProcess({ name: 'missing', command: '/nonexistent/command', readyUrl: `http://127.0.0.1:${port}/` }),
      /missing exited.*ENOENT/s,
    );
  });
});

describe('the runner going', () => {
  for (const how of ['exits', 'gets SIGTERM'] as const) {
    it(`takes its servers with it when it ${how}`, async () => {
      const port = await freePort();
      const script =
        `const { startProcess } = await import(${JSON.stringify(PROCESS_MODULE)});` +
        `const server = await startProcess({ name: 'fixture', command: process.execPath, args: [${JSON.stringify(FIXTURE)}, '${port}'], readyUrl: 'http://127.0.0.1:${port}/' });` +
        `console.log(server.pid);` +
        (how === 'exits' ? 'process.exit(0);' : 'setInterval(() => {}, 60_000);');
      const runner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [line] = (await once(runner.stdout, 'data')) as [Buffer];
      const pid = Number(line.toString().trim());
      assert.ok(pid > 0);
      if (how === 'gets SIGTERM') runner.kill('SIGTERM');
      const [code, signal] = (await once(runner, 'exit')) as [number | null, string | null];
      assert.deepEqual([code, signal], how === 'exits' ? [0, null] : [null, 'SIGTERM'], 'the signal keeps its default: the runner ends');
      // The server got SIGTERM from the runner's exit hook; it is gone once it has handled it.
      await waitForGone(pid);
      assert.ok(await refused(port));
    });
  }
});

async function waitForGone(pid: number): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > until) throw new Error(`${pid} still runs`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
