/** `npm run dev` from cold (no dev build directory) until every zone and the inbox answer. */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitForUrl } from '@repo/testkit/process';
import { ZONE_NAMES, topology } from '@repo/topology';
import { REPO_ROOT, startScript } from './servers.ts';

export async function devColdStart(): Promise<{ seconds: number; perZone: Record<string, number> }> {
  // Only what `next dev` writes (`.next-dev*`, see @repo/next-config's dist-dir transform): the
  // production builds in `.next` stay for whoever serves them next.
  for (const zone of ZONE_NAMES) {
    const app = join(REPO_ROOT, 'apps', zone);
    for (const dir of readdirSync(app).filter((name) => name.startsWith('.next-dev'))) rmSync(join(app, dir), { recursive: true, force: true });
  }
  const started = performance.now();
  const dev = await startScript('npm run dev', ['run', 'dev'], `${topology.inbox.origin}/healthz`, {}, 300_000);
  const perZone: Record<string, number> = {};
  try {
    // Each zone answers once its first page compiled and rendered (with shop's Header, for hosts).
    await Promise.all(
      ZONE_NAMES.map(async (name) => {
        await waitForUrl(`${topology.zones[name].origin}/`, { timeoutMs: 300_000, abandon: dev.exited.then(() => `npm run dev exited:\n${dev.output()}`) });
        perZone[name] = (performance.now() - started) / 1000;
      }),
    );
    return { seconds: (performance.now() - started) / 1000, perZone };
  } finally {
    await dev.stop();
  }
}
