/**
 * What the inbox says when it starts (main.ts), as its own process: listening beyond loopback
 * without a read token, or with the default upload token, is said loudly; on loopback, or with
 * tokens of its own, it is not.
 */

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import { freePort } from '@repo/testkit/ports';
import { startProcess, stopAll } from '@repo/testkit/process';
import { cleanUp, tempDir } from './testing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

afterEach(async () => {
  await stopAll();
  await cleanUp();
});

/** Starts main.ts with `env`, waits until it serves, stops it; its output. */
async function startOutput(env: Record<string, string>): Promise<string> {
  // Only what the test says: none of the runner's own INBOX_* settings.
  const unset = { INBOX_HOST: undefined, INBOX_READ_TOKEN: undefined, INBOX_UPLOAD_TOKEN: undefined, INBOX_ALLOWED_ORIGINS: undefined };
  const port = await freePort();
  const inbox = await startProcess({
    name: 'inbox',
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts'],
    cwd: ROOT,
    env: { ...unset, INBOX_PORT: String(port), INBOX_DATA_DIR: await tempDir('inbox-main-'), ...env },
    readyUrl: `http://127.0.0.1:${port}/healthz`,
    timeoutMs: 20_000,
  });
  await inbox.stop();
  return inbox.output();
}

describe('start', () => {
  it('warns loudly when it listens on every address without a read token', async () => {
    const output = await startOutput({ INBOX_HOST: '0.0.0.0' });
    assert.match(output, /inbox: listening on http:\/\/0\.0\.0\.0:\d+/);
    assert.match(output, /!{100}\ninbox: WARNING: listening on 0\.0\.0\.0, not loopback, without INBOX_READ_TOKEN/);
  });

  it('warns loudly when it listens on every address with the default upload token', async () => {
    const output = await startOutput({ INBOX_HOST: '0.0.0.0', INBOX_READ_TOKEN: 'tok-main-41c' });
    assert.match(output, /!{100}\ninbox: WARNING: listening on 0\.0\.0\.0, not loopback, with the default upload token/);
    assert.ok(!output.includes('without INBOX_READ_TOKEN'), output);
  });

  it('does not warn on loopback, nor beyond it with a read token and an upload token of its own', async () => {
    const cases: Record<string, string>[] = [
      {},
      { INBOX_HOST: '0.0.0.0', INBOX_READ_TOKEN: 'tok-main-41c', INBOX_UPLOAD_TOKEN: 'up-main-7f2' },
    ];
    for (const env of cases) {
      const output = await startOutput(env);
      assert.match(output, /inbox: listening on http:\/\//, JSON.stringify(env));
      assert.ok(!output.includes('WARNING'), JSON.stringify(env));
      assert.ok(!output.includes('tok-main-41c') && !output.includes('up-main-7f2'), 'the tokens are never logged');
    }
  });
});
