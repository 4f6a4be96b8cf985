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
import { startProcess, stopAll } from '@repo/testkit/process';
import { hostsOf, startOrder, topology } from '@repo/topology';
import { measurePage, measureParts, openBrowser, partsTable, type PageParts } from './bytes.ts';
import { GuardLog, falseRollbacks, guardReaction } from './canary.ts';
import { browserErrorToOwner, serverErrorToOwner } from './latency.ts';
import { measureMemory, memorySection, QUICK_MEMORY, type ZoneServer } from './memory.ts';
import { compareRender } from './render.ts';
import { measureRollbacks, p50p95 } from './rollback.ts';
import { REPO_ROOT, run, startScript } from './servers.ts';
import { measureSpanRule, measureSpanRuleInBrowser, spanRuleSection, stackPathSpansOfPageView } from './span-rule.ts';
import { devStartup, HOT_RELOAD_LIMIT_MS } from './startup.ts';
import { kib, ms, table } from './stats.ts';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean' }, 'npm-test': { type: 'boolean' } } });
const quick = args.quick === true;
const LATENCY_SAMPLES = quick ? 10 : 50;
const CONTROL_PORT = topology.zones.checkout.port + 20;
const control = { origin: `http://localhost:${CONTROL_PORT}` };
const ROLLBACKS = quick ? 5 : 20;
const GUARD_TRIALS = quick ? 3 : 12;
const HEALTHY_CANARIES = quick ? 3 : 20;
const HEALTHY_PAGE_VIEWS = quick ? 40 : 120;
/** shop's broken release (apps/shop `build:broken-release`), served beside 1.0.0 for the rollback figures. */
const BROKEN = { version: '1.1.0', port: topology.zones.shop.port + 10 };
/** shop's healthy second release (apps/shop `build:healthy-release`), canaried beside 1.0.0. */
const HEALTHY = { version: '1.2.0', port: topology.zones.shop.port + 20 };
/** A second checkout, the same build, with per-owner sessions off: their cost on a render. */
const NO_SESSIONS_PORT = topology.zones.checkout.port + 30;
/** A third, the same build, sampling no traces (SENTRY_TRACES_SAMPLE_RATE=0): what tracing costs a render. */
const TRACES_OFF_PORT = topology.zones.checkout.port + 40;
/** Checkout built without Sentry's tracing code, as a release of its own: what tracing costs in bytes. */
const UNTRACED = { version: '1.0.0-untraced', port: topology.zones.checkout.port + 50 };
const guardLog = new GuardLog();
/** The benchmark's own release registry: it moves the pointer, and must not move a developer's. */
const REGISTRY = join(mkdtempSync(join(tmpdir(), 'bench-registry-')), 'registry.json');

const sections: string[] = [];
/** Each budget with its goal, this run's figure and whether it is met: the report's first table. */
const budgets: string[][] = [];
function budget(what: string, goal: string, figure: string, met: boolean) {
  budgets.push([what, goal, figure, met ? 'met' : '**not met**']);
}
function report(title: string, body: string) {
  const text = `## ${title}\n\n${body}\n`;
  sections.push(text);
  console.log(`\n${text}`);
}

/** The benchmark's builds carry the chunk composition plugin; the zones' own builds do not. */
const CHUNK_COMPOSITION_PLUGIN = join(REPO_ROOT, 'bench', 'webpack', 'chunk-composition-plugin.ts');
const WITHOUT_TRACING_PLUGIN = join(REPO_ROOT, 'bench', 'webpack', 'without-tracing-plugin.ts');

async function build() {
  const env = { ZONE_BROWSER_BUILD_PLUGIN: CHUNK_COMPOSITION_PLUGIN };
  for (const zone of startOrder(topology)) await run('npm', ['run', 'build', '--workspace', `apps/${zone.name}`], env);
  await run('npm', ['run', 'build', '--workspace', 'apps/checkout'], { FEDERATION_CONTROL: 'local', ZONE_BROWSER_BUILD_PLUGIN: CHUNK_COMPOSITION_PLUGIN });
  await run('npm', ['run', 'build', '--workspace', 'apps/checkout', '--', '--release', UNTRACED.version], {
    ZONE_BROWSER_BUILD_PLUGIN: WITHOUT_TRACING_PLUGIN,
  });
  await run('npm', ['run', 'build:broken-release', '--workspace', 'apps/shop']);
  await run('npm', ['run', 'build:healthy-release', '--workspace', 'apps/shop']);
}

async function startAll() {
  await startScript('inbox', ['run', 'start', '--workspace', 'apps/inbox'], `${topology.inbox.origin}/healthz`, {
    INBOX_DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-inbox-')),
    FEDERATION_REGISTRY: REGISTRY,
  });
  const zoneServers: ZoneServer[] = [];
  for (const zone of startOrder(topology)) {
    const server = await startScript(zone.name, ['run', 'start', '--workspace', `apps/${zone.name}`], `${zone.origin}/`, {
      FEDERATION_REGISTRY: REGISTRY,
      // The memory figures read each server's heap through its inspector, opened on a port of its own.
      NODE_OPTIONS: '--inspect-port=0',
    });
    zoneServers.push({ name: zone.name, origin: zone.origin, pid: server.pid });
  }
  // As a deployment would after building: every build's maps to every project that gets its frames.
  await run('npm', ['run', 'sourcemaps:upload']);
  await startScript(
    `shop@${BROKEN.version}`,
    ['run', 'start', '--workspace', 'apps/shop', '--', '--release', BROKEN.version, '--port', String(BROKEN.port)],
    `http://localhost:${BROKEN.port}/_next/static/chunks/remoteEntry.js`,
    { FEDERATION_REGISTRY: REGISTRY },
  );
  await startScript(
    `shop@${HEALTHY.version}`,
    ['run', 'start', '--workspace', 'apps/shop', '--', '--release', HEALTHY.version, '--port', String(HEALTHY.port)],
    `http://localhost:${HEALTHY.port}/_next/static/chunks/remoteEntry.js`,
    { FEDERATION_REGISTRY: REGISTRY },
  );
  await startScript(
    'checkout (no owner sessions)',
    ['run', 'start', '--workspace', 'apps/checkout', '--', '--port', String(NO_SESSIONS_PORT)],
    `http://localhost:${NO_SESSIONS_PORT}/favicon.ico`,
    { FEDERATION_REGISTRY: REGISTRY, SENTRY_OWNER_SESSIONS: '0' },
  );
  await startScript(
    'checkout (traces off)',
    ['run', 'start', '--workspace', 'apps/checkout', '--', '--port', String(TRACES_OFF_PORT)],
    `http://localhost:${TRACES_OFF_PORT}/favicon.ico`,
    { FEDERATION_REGISTRY: REGISTRY, SENTRY_TRACES_SAMPLE_RATE: '0' },
  );
  await startScript(
    'checkout (no tracing code)',
    ['run', 'start', '--workspace', 'apps/checkout', '--', '--release', UNTRACED.version, '--port', String(UNTRACED.port)],
    `http://localhost:${UNTRACED.port}/favicon.ico`,
    { FEDERATION_REGISTRY: REGISTRY },
  );
  await startProcess({
    name: 'guard',
    command: 'npm',
    args: ['run', 'start', '--workspace', 'apps/guard'],
    cwd: REPO_ROOT,
    env: { FEDERATION_REGISTRY: REGISTRY },
    readyOutput: /^guard: watching /m,
    onOutput: guardLog.take,
  });
  await startScript('checkout (control)', ['run', 'start', '--workspace', 'apps/checkout'], `${control.origin}/`, {
    FEDERATION_CONTROL: 'local',
    CHECKOUT_PORT: String(CONTROL_PORT),
  });
  return zoneServers;
}

async function main() {
  const started = performance.now();
  await build();
  const zoneServers = await startAll();
  const checkout = topology.zones.checkout;

  // First, so that "after 1,000 requests" is what each server has served.
  const memory = await measureMemory(zoneServers, quick ? QUICK_MEMORY : {});
  report("Memory: each zone's server after 1,000 requests, and under a 5-minute steady load", memorySection(memory));
  for (const zone of memory.zones) {
    budget(`${zone.zone}'s server: RSS after ${zone.requests} requests, heap growth under load`, 'reported; no growth', `${zone.afterRequestsMiB.toFixed(0)} MiB; ${zone.grows ? 'grows' : 'no growth'}`, !zone.grows);
  }
  const spanRuleNode = await measureSpanRule({ quick });

  const render = await compareRender(`${checkout.origin}/`, `${control.origin}/`, quick ? { seconds: 2, rounds: 1 } : {});
  const ratio = render.federated.requestsPerSecond / render.control.requestsPerSecond;
  budget('server render, federated / control', '≥ 100 %', `${(ratio * 100).toFixed(0)} %`, ratio >= 1);
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

  const sessions = await compareRender(`${checkout.origin}/`, `http://localhost:${NO_SESSIONS_PORT}/`, quick ? { seconds: 2, rounds: 1 } : {});
  report(
    "Per-owner sessions: checkout's page with shop's session per page view vs without",
    `Two servers of the same checkout build, one with \`SENTRY_OWNER_SESSIONS=0\`; ${sessions.rounds} alternating rounds of ${sessions.seconds} s ` +
      `at ${sessions.connections} connections, every request a new visitor (no cookie), so every render sends shop a session.\n\n` +
      table(
        ['server', 'req/s', 'p50', 'p99'],
        [
          ['sessions on (the default)', sessions.federated.requestsPerSecond.toFixed(0), ms(sessions.federated.p50), ms(sessions.federated.p99)],
          ['sessions off', sessions.control.requestsPerSecond.toFixed(0), ms(sessions.control.p50), ms(sessions.control.p99)],
        ],
      ) +
      `\n\nWith sessions: **${((sessions.federated.requestsPerSecond / sessions.control.requestsPerSecond) * 100).toFixed(0)} %** of the throughput without.`,
  );

  const traced = await compareRender(`${checkout.origin}/`, `http://localhost:${TRACES_OFF_PORT}/`, quick ? { seconds: 2, rounds: 1 } : {});

  const browser = await openBrowser();
  try {
    const tracedBytes = await measurePage(browser, checkout, '/', topology.zones.shop);
    const untracedBytes = await measurePage(browser, { ...checkout, origin: `http://localhost:${UNTRACED.port}` }, '/', topology.zones.shop);
    report(
      "Tracing: what one trace per page view costs checkout's page",
      `Server: two servers of the same checkout build, one with \`SENTRY_TRACES_SAMPLE_RATE=0\`; ${traced.rounds} alternating rounds of ` +
        `${traced.seconds} s at ${traced.connections} connections. Every traced request sends its spans, split by owner, to checkout's and shop's projects.\n\n` +
        table(
          ['server', 'req/s', 'p50', 'p99'],
          [
            ['traces sampled (rate 1, the default)', traced.federated.requestsPerSecond.toFixed(0), ms(traced.federated.p50), ms(traced.federated.p99)],
            ['no traces sampled (rate 0)', traced.control.requestsPerSecond.toFixed(0), ms(traced.control.p50), ms(traced.control.p99)],
          ],
        ) +
        `\n\nTraced: **${((traced.federated.requestsPerSecond / traced.control.requestsPerSecond) * 100).toFixed(0)} %** of the throughput untraced.\n\n` +
        'Browser: first-load JavaScript of `/` (compressed, as transferred), checkout as built vs the same checkout built with ' +
        "`__SENTRY_TRACING__: false` (Sentry's flag for dropping its tracing code, bench/webpack/without-tracing-plugin.ts).\n\n" +
        table(
          ['build', 'first-load JS'],
          [
            ['checkout (tracing code in)', kib(tracedBytes.total)],
            ['checkout without tracing code', kib(untracedBytes.total)],
            ['what tracing adds', kib(tracedBytes.total - untracedBytes.total)],
          ],
        ),
    );

    const pageViews = [];
    for (const zone of hostsOf(topology, 'shop')) {
      const view = await stackPathSpansOfPageView(browser, {
        origin: zone.origin,
        zone: zone.owner,
        inbox: topology.inbox.origin,
        remoteOrigins: [topology.zones.shop.origin],
      });
      pageViews.push({ zone: zone.name, ...view });
    }
    const spanRuleBrowser = await measureSpanRuleInBrowser(browser, { origin: checkout.origin, remoteOrigin: topology.zones.shop.origin });
    report("Span ownership: what each rule costs a span, and the stack rule's share of a page view", spanRuleSection(spanRuleNode, spanRuleBrowser, pageViews));

    const shop = topology.zones.shop;
    const controlParts = await measureParts(browser, { ...checkout, origin: control.origin }, '/', shop, {
      label: 'checkout / (control: shop compiled in)',
      distDir: '.next-control',
    });
    const partRows: PageParts[] = [];
    for (const zone of startOrder(topology)) for (const path of ['/', '/products']) partRows.push(await measureParts(browser, zone, path, shop));
    const host = partRows.find((row) => row.label === `${checkout.name} /`);
    if (!host) throw new Error(`no figures for ${checkout.name} /`);
    budget(`${host.label}: first-load JavaScript`, '≤ 170 KiB', kib(host.total), host.total <= 170 * 1024);
    const overhead = host.total - controlParts.total;
    budget(`${host.label}: federation's overhead over the control build`, '≤ 60 KiB', kib(overhead), overhead <= 60 * 1024);
    const federationAndSentry = host.parts.Sentry + host.parts['federation runtime'] + host.parts['remote entry'];
    budget(`${host.label}: Sentry + federation runtime + remote entry`, '≤ 60 KiB', kib(federationAndSentry), federationAndSentry <= 60 * 1024);
    budget(`${host.label}: a returning visitor's JavaScript`, '≤ 5 KiB', kib(host.repeat), host.repeat <= 5 * 1024);
    const reactCopies = Math.max(...partRows.map((row) => row.reactCopies));
    budget('copies of React on any page', '1', String(reactCopies), reactCopies === 1);
    report(
      "The browser's cost per part: first-load JavaScript (compressed, as transferred) and a returning visitor's",
      partsTable([...partRows, controlParts], controlParts),
    );

    const browserLatency = await browserErrorToOwner(browser, checkout, LATENCY_SAMPLES);
    const serverLatency = await serverErrorToOwner(checkout, LATENCY_SAMPLES);
    const worst = Math.max(browserLatency.p95, serverLatency.p95);
    budget('error → readable event in the owner’s project, p95 (browser, server)', '< 50 ms', `${ms(browserLatency.p95)}, ${ms(serverLatency.p95)}`, worst < 50);
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

    const hostZones = hostsOf(topology, 'shop');
    const reaction = await guardReaction(REGISTRY, hostZones, BROKEN.version, GUARD_TRIALS);
    const healthy = await falseRollbacks(REGISTRY, hostZones, guardLog, HEALTHY.version, HEALTHY_CANARIES, HEALTHY_PAGE_VIEWS);
    report(
      'The release guard: a broken canary gone, a healthy one kept',
      `${reaction.toPointer.length} canaries of the broken shop@${BROKEN.version} at 25 %, each under page views of new visitors ` +
        `(two at a time over ${hostZones.map((z) => z.name).join(' and ')}), rolled back by the guard (apps/guard, default rule and 500 ms interval). ` +
        `Then ${healthy.canaries} canaries of the healthy shop@${HEALTHY.version}, ${healthy.pageViewsEach} page views each, each judged on all of them.\n\n` +
        table(
          ['from the canary’s first failing page view', 'p50', 'p95'],
          [rows('→ the guard’s write of the registry', reaction.toPointer), rows('→ every host serves the live release to a canary visitor', reaction.toHosts)],
        ) +
        `\n\nPage views on the broken canary before it was gone: ${reaction.viewsOnCanary.join(', ')}. ` +
        `Healthy canaries rolled back: **${healthy.rolledBack} of ${healthy.canaries}**.`,
    );
  } finally {
    await browser.close();
    await stopAll();
  }

  const dev = await devStartup();
  budget("`npm run dev` from cold until every zone serves shop's Header", '≤ 60 s', `${dev.cold.seconds.toFixed(1)} s`, dev.cold.seconds <= 60);
  budget('`npm run dev` again, warm', '≤ 20 s', `${dev.warm.seconds.toFixed(1)} s`, dev.warm.seconds <= 20);
  budget(
    "an edit of shop's Header → visible in checkout",
    '≤ 3 s',
    dev.hotReloadSeconds === null ? 'never' : `${dev.hotReloadSeconds.toFixed(1)} s`,
    dev.hotReloadSeconds !== null && dev.hotReloadSeconds <= 3,
  );
  const startupRows = [['`npm run dev` from cold, until every zone serves shop\'s Header', `${dev.cold.seconds.toFixed(1)} s`]];
  for (const [zone, seconds] of Object.entries(dev.cold.perZone)) startupRows.push([`  ${zone}`, `${seconds.toFixed(1)} s`]);
  startupRows.push(['`npm run dev` again (warm: the compile cache of the run before)', `${dev.warm.seconds.toFixed(1)} s`]);
  for (const [zone, seconds] of Object.entries(dev.warm.perZone)) startupRows.push([`  ${zone}`, `${seconds.toFixed(1)} s`]);
  startupRows.push([
    "an edit of shop's Header, saved → checkout's page shows it",
    dev.hotReloadSeconds === null ? `not within ${HOT_RELOAD_LIMIT_MS / 1000} s` : `${dev.hotReloadSeconds.toFixed(1)} s`,
  ]);
  if (args['npm-test']) {
    const testStarted = performance.now();
    await run('npm', ['test'], { CI: 'true' });
    const testSeconds = (performance.now() - testStarted) / 1000;
    startupRows.push(['`npm test` wall time', `${testSeconds.toFixed(0)} s`]);
    budget('`npm test` (after the install)', '≤ 360 s', `${testSeconds.toFixed(0)} s`, testSeconds <= 360);
  }
  report('Start-up', table(['what', 'time'], startupRows));

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const header =
    `# Benchmark results\n\nTaken ${new Date().toISOString()} on ${machine}, by \`npm run bench${quick ? ' -- --quick' : ''}\` ` +
    `(${((performance.now() - started) / 1000).toFixed(0)} s in all).\n`;
  const goals = `## Budgets\n\nEach goal against this run's figure (details in the sections below).\n\n${table(['what', 'goal', 'this run', ''], budgets)}\n`;
  console.log(`\n${goals}`);
  writeFileSync(join(REPO_ROOT, 'bench', 'RESULTS.md'), `${header}\n${goals}\n${sections.join('\n')}`);
  console.log(`\nWritten to bench/RESULTS.md`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
