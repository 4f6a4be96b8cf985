import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_INBOX_UPLOAD_TOKEN, resolveTopology } from '@repo/topology';
import { MissingVariablesError, planUploads, receivingOwners, uploadTarget, type RecordedBuild } from './plan.ts';

const topology = resolveTopology({ INBOX_PORT: '9911' });
const SENTRY = {
  SENTRY_URL: 'https://sentry.example.com/',
  SENTRY_ORG: 'acme',
  SENTRY_AUTH_TOKEN: 'sntryu_secret',
  SENTRY_PROJECT_HOME: 'web-home',
  SENTRY_PROJECT_SHOP: 'web-shop',
  SENTRY_PROJECT_CHECKOUT: 'web-checkout',
};
const BUILDS: RecordedBuild[] = [
  { zone: 'home', release: 'home@1.0.0', distDir: '/repo/apps/home/.next' },
  { zone: 'shop', release: 'shop@1.0.0', distDir: '/repo/apps/shop/.next' },
  { zone: 'shop', release: 'shop@1.1.0', distDir: '/repo/apps/shop/.releases/1.1.0' },
  { zone: 'checkout', release: 'checkout@1.0.0', distDir: '/repo/apps/checkout/.next' },
];

/** The values of every `--project` in a sentry-cli command line. */
function projectsOf(args: readonly string[]): string[] {
  return args.flatMap((arg, i) => (arg === '--project' ? [args[i + 1] as string] : []));
}

describe('receivingOwners', () => {
  it("sends a remote's maps to its hosts' projects and a host's maps to its remotes' projects", () => {
    assert.deepEqual(receivingOwners(topology, 'shop'), ['shop', 'home', 'checkout']);
    assert.deepEqual(receivingOwners(topology, 'home'), ['home', 'shop']);
    assert.deepEqual(receivingOwners(topology, 'checkout'), ['checkout', 'shop']);
  });
});

describe('uploadTarget', () => {
  it('is the local inbox of the topology by default, with its org, its token and the owners as project slugs', () => {
    const target = uploadTarget({}, topology);
    assert.deepEqual(target, {
      kind: 'inbox',
      url: 'http://localhost:9911',
      org: 'local',
      token: DEFAULT_INBOX_UPLOAD_TOKEN,
      projects: { home: 'home', shop: 'shop', checkout: 'checkout' },
    });
    assert.equal(uploadTarget({ INBOX_UPLOAD_TOKEN: 'sntryu_mine' }, topology).token, 'sntryu_mine');
  });

  it('is real Sentry when SENTRY_URL is set, with its org, token and per-owner slugs', () => {
    assert.deepEqual(uploadTarget(SENTRY, topology), {
      kind: 'sentry',
      url: 'https://sentry.example.com/',
      org: 'acme',
      token: 'sntryu_secret',
      projects: { home: 'web-home', shop: 'web-shop', checkout: 'web-checkout' },
    });
  });

  it('names every variable real Sentry still needs', () => {
    assert.throws(
      () => uploadTarget({ ...SENTRY, SENTRY_ORG: ' ', SENTRY_AUTH_TOKEN: undefined, SENTRY_PROJECT_SHOP: '' }, topology),
      (error: Error) => error instanceof MissingVariablesError && /SENTRY_ORG, SENTRY_AUTH_TOKEN, SENTRY_PROJECT_SHOP$/.test(error.message),
    );
  });
});

describe('planUploads', () => {
  it("uploads each build under its own release, to its project and every project that can hold its frames", () => {
    const plan = planUploads(BUILDS, uploadTarget({}, topology), topology);
    assert.deepEqual(
      plan.map((command) => [command.build.release, projectsOf(command.args)]),
      [
        ['home@1.0.0', ['home', 'shop']],
        ['shop@1.0.0', ['shop', 'home', 'checkout']],
        ['shop@1.1.0', ['shop', 'home', 'checkout']],
        ['checkout@1.0.0', ['checkout', 'shop']],
      ],
    );
    assert.deepEqual(plan[2]?.args, [
      '--url', 'http://localhost:9911',
      'sourcemaps', 'upload',
      '--org', 'local',
      '--release', 'shop@1.1.0',
      '--project', 'shop', '--project', 'home', '--project', 'checkout',
      '/repo/apps/shop/.releases/1.1.0/server',
      '/repo/apps/shop/.releases/1.1.0/sourcemaps/static',
    ]);
    assert.deepEqual(plan[2]?.env, { SENTRY_AUTH_TOKEN: DEFAULT_INBOX_UPLOAD_TOKEN });
  });

  it('sends the same fan-out to real Sentry under its slugs, the token never on the command line', () => {
    const plan = planUploads(BUILDS, uploadTarget(SENTRY, topology), topology);
    const shop = plan[1];
    assert.deepEqual(shop?.args.slice(0, 8), ['--url', 'https://sentry.example.com/', 'sourcemaps', 'upload', '--org', 'acme', '--release', 'shop@1.0.0']);
    assert.deepEqual(projectsOf(shop?.args ?? []), ['web-shop', 'web-home', 'web-checkout']);
    assert.deepEqual(projectsOf(plan[3]?.args ?? []), ['web-checkout', 'web-shop']);
    assert.ok(plan.every((command) => !command.args.includes('sntryu_secret') && command.env.SENTRY_AUTH_TOKEN === 'sntryu_secret'));
  });
});
