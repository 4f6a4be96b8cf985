/**
 * `npm run bench`: what federation and owner routing cost, each figure measured side by side in
 * one run. Builds the zones (and checkout's control build), starts them with a fresh inbox,
 * measures, stops them, then measures `npm run dev` from cold. Prints a Markdown report and
 * writes it to bench/RESULTS.md.
 *
 *   npm run bench                      everything but `npm test`
 *   npm run bench -- --npm-test        also time `npm test` (several minutes)
 *   npm run bench -- --quick           fewer samples, for trying the benchmark itself
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAll } from '@repo/testkit/process';
import { hostsOf, startOrder, topology } from '@repo/topology';
import { measurePage, openBrowser, type PageBytes } from './bytes.ts';
import { browserErrorToOwner, serverErrorToOwner } from './latency.ts';
import { compareRender } from './render.ts';
import { measureRollbacks, p50p95 } from './rollback.ts';
import { REPO_ROOT, run, startScript } from './servers.ts';
import { devColdStart } from './startup.ts';
import { kib, ms, table } from './stats.ts';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean' }, 'npm-test': { type: 'boolean' } } });
const quick = args.quick === true;
const LATENCY_SAMPLES = quick ? 10 : 50;
const CONTROL_PORT = topology.zones.checkout.port + 20;
const control = { origin: `http://localhost:${CONTROL_PORT}` };
const ROLLBACKS = quick ? 5 : 20;
/** shop's broken release (apps/shop `build:broken-release`), served beside 1.0.0 for the rollback figures. */
const BROKEN = { version: '1.1.0', port: topology.zones.shop.port + 10 };
/** The benchmark's own release registry: it moves the pointer, and must not move a developer's. */
const REGISTRY = join(mkdtempSync(join(tmpdir(), 'bench-registry-')), 'registry.json');

const sections: string[] = [];
function report(title: string, body: string) {
  const text = `## ${title}\n\n${body}\n`;
  sections.push(text);
  console.log(`\n${text}`);
}

/** The benchmark's builds carry the chunk composition plugin; the zones' own builds do not. */
const CHUNK_COMPOSITION_PLUGIN = join(REPO_ROOT, 'bench', 'webpack', 'chunk-composition-plugin.ts');

async function build() {
  const env = { ZONE_BROWSER_BUILD_PLUGIN: CHUNK_COMPOSITION_PLUGIN };
  for (const zone of startOrder(topology)) await run('npm', ['run', 'build', '--workspace', `apps/${zone.name}`], env);
  await run('npm', ['run', 'build', '--workspace', 'apps/checkout'], { FEDERATION_CONTROL: 'local' });
  await run('npm', ['run', 'build:broken-release', '--workspace', 'apps/shop']);
}

async function startAll() {
  await startScript('inbox', ['run', 'start', '--workspace', 'apps/inbox'], `${topology.inbox.origin}/healthz`, {
    INBOX_DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-inbox-')),
    FEDERATION_REGISTRY: REGISTRY,
  });
  for (const zone of startOrder(topology)) {
    await startScript(zone.name, ['run', 'start', '--workspace', `apps/${zone.name}`], `${zone.origin}/`, {
      FEDERATION_REGISTRY: REGISTRY,
    });
  }
  // As a deployment would after building: every build's maps to every project that gets its frames.
  await run('npm', ['run', 'sourcemaps:upload']);
  await startScript(
    `shop@${BROKEN.version}`,
    ['run', 'start', '--workspace', 'apps/shop', '--', '--release', BROKEN.version, '--port', String(BROKEN.port)],
    `http://localhost:${BROKEN.port}/_next/static/chunks/remoteEntry.js`,
    { FEDERATION_REGISTRY: REGISTRY },
  );
  await startScript('checkout (control)', ['run', 'start', '--workspace', 'apps/checkout'], `${control.origin}/`, {
    FEDERATION_CONTROL: 'local',
    CHECKOUT_PORT: String(CONTROL_PORT),
  });
}

async function main() {
  const started = performance.now();
  await build();
  await startAll();
  const checkout = topology.zones.checkout;

  const render = await compareRender(`${checkout.origin}/`, `${control.origin}/`, quick ? { seconds: 2, rounds: 1 } : {});
  const ratio = render.federated.requestsPerSecond / render.control.requestsPerSecond;
  report(
    "Server render: checkout's page, shop's Header federated vs compiled in",
    `${render.rounds} alternating rounds of ${render.seconds} s at ${render.connections} connections (autocannon); medians of the rounds.\n\n` +
      table(
        ['build', 'req/s', 'p50', 'p99'],
        [
          ['federated (shop/Header from :3001)', render.federated.requestsPerSecond.toFixed(0), ms(render.federated.p50), ms(render.federated.p99)],
          ['control (shop/Header compiled in)', render.control.requestsPerSecond.toFixed(0), ms(render.control.p50), ms(render.control.p99)],
        ],
      ) +
      `\n\nFederated throughput is **${(ratio * 100).toFixed(0)} %** of the control's.`,
  );

  const browser = await openBrowser();
  try {
    const pages: PageBytes[] = [];
    for (const zone of startOrder(topology)) {
      for (const path of ['/', '/products']) pages.push(await measurePage(browser, zone, path, topology.zones.shop));
    }
    report(
      "The browser's cost: first-load JavaScript per page (compressed, as transferred)",
      table(
        ['page', 'total', "from shop's server", 'Sentry (est.)', 'federation runtime + remote entry (est.)', 'React copies'],
        pages.map((p) => [`${p.zone} ${p.path}`, kib(p.total), kib(p.fromShop), kib(p.sentry), kib(p.federation), String(p.reactCopies)]),
      ) +
        '\n\nSentry and federation shares are estimated per chunk from the source size of the modules in it ' +
        '(`chunk-composition.json`, written by the benchmark builds, bench/webpack). "React copies" counts ' +
        'the React DOM renderers that registered with the page: 1 means host and remote share one React.',
    );

    const browserLatency = await browserErrorToOwner(browser, checkout, LATENCY_SAMPLES);
    const serverLatency = await serverErrorToOwner(checkout, LATENCY_SAMPLES);
    report(
      'Error to owner: from the failure to the readable event (crash frame resolved) stored in shop’s project',
      table(
        ['where', 'samples', 'p50', 'p95'],
        [
          ['browser (scenario event, in checkout)', String(browserLatency.samples), ms(browserLatency.p50), ms(browserLatency.p95)],
          ['server (scenario ssr, in checkout; includes the render)', String(serverLatency.samples), ms(serverLatency.p50), ms(serverLatency.p95)],
        ],
      ),
    );

    const releases = { good: '1.0.0', broken: BROKEN.version };
    const hosts = hostsOf(topology, 'shop');
    const flips = await measureRollbacks(REGISTRY, { kind: 'command', registry: REGISTRY }, hosts, browser, releases, ROLLBACKS);
    const button = await measureRollbacks(REGISTRY, { kind: 'inbox', origin: topology.inbox.origin }, hosts, browser, releases, ROLLBACKS);
    const rows = (label: string, values: number[]) => {
      const [p50, p95] = p50p95(values);
      return [label, ms(p50), ms(p95)];
    };
    report(
      'Rollback: from the pointer move to every host serving the release',
      `${flips.rollback.flips} rollbacks (shop@${BROKEN.version} → shop@1.0.0) and ${flips.deploy.flips} deploys the other way ` +
        `with \`npm run rollback\`, then as many with the inbox's button, ` +
        `alternating, with ${hostsOf(topology, 'shop').map((z) => z.name).join(' and ')} serving; each host's \`/\` polled every 20 ms.\n\n` +
        table(
          ['rollback to shop@1.0.0', 'p50', 'p95'],
          [
            rows('`npm run rollback` runs (npm and node start, target checked, registry written)', flips.rollback.command),
            rows('`npm run rollback` started → every host’s server HTML uses it', flips.rollback.commandToServer),
            rows('registry written → every host’s server HTML uses it', flips.rollback.writeToServer),
            rows('`npm run rollback` started → a fresh page in every host shows it, hydrated', flips.rollback.commandToBrowser),
            rows('the inbox’s button (its POST) → every host’s server HTML uses it', button.rollback.commandToServer),
            rows('the inbox’s button → a fresh page in every host shows it, hydrated', button.rollback.commandToBrowser),
            rows(`(deploy to shop@${BROKEN.version}) command → server HTML`, flips.deploy.commandToServer),
          ],
        ),
    );
  } finally {
    await browser.close();
    await stopAll();
  }

  const dev = await devColdStart();
  const startupRows = [['`npm run dev` from cold, until every zone answers', `${dev.seconds.toFixed(1)} s`]];
  for (const [zone, seconds] of Object.entries(dev.perZone)) startupRows.push([`  ${zone} answers`, `${seconds.toFixed(1)} s`]);
  if (args['npm-test']) {
    const testStarted = performance.now();
    await run('npm', ['test'], { CI: 'true' });
    startupRows.push(['`npm test` wall time', `${((performance.now() - testStarted) / 1000).toFixed(0)} s`]);
  }
  report('Start-up', table(['what', 'time'], startupRows));

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const header =
    `# Benchmark results\n\nTaken ${new Date().toISOString()} on ${machine}, by \`npm run bench${quick ? ' -- --quick' : ''}\` ` +
    `(${((performance.now() - started) / 1000).toFixed(0)} s in all).\n`;
  writeFileSync(join(REPO_ROOT, 'bench', 'RESULTS.md'), `${header}\n${sections.join('\n')}`);
  console.log(`\nWritten to bench/RESULTS.md`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
