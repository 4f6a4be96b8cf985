import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RemoteLocation } from '@repo/releases';
import {
  createRemoteLoader,
  MAX_RELEASES,
  RemoteUnavailableError,
  withDeadline,
  type Clock,
  type LoaderLog,
  type RemoteSource,
} from './loader.ts';

/** Time that moves only when a test says so; the timers it fires are the loader's deadlines. */
class FakeClock implements Clock {
  private time = 0;
  private timers: { at: number; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = { at: this.time + ms, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time on by `ms`, firing the timers due on the way in order, and lets what they started settle. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
      await settled();
    }
    this.time = until;
    await settled();
  }
}

/** Lets every promise callback already queued run (one turn of the event loop; no time passes). */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The value of `promise` if it settles without the clock moving; a failure if it is still waiting. */
async function atOnce<T>(promise: Promise<T>): Promise<T> {
  const waiting = Symbol('waiting');
  const first = await Promise.race([promise, settled().then(() => waiting)]);
  if (first === waiting) throw new Error('still waiting: it did not answer at once');
  return first as T;
}

interface Pending<T> {
  resolve(value: T): void;
  reject(cause: Error): void;
}

function pending<T>(): Pending<T> & { promise: Promise<T> } {
  let resolve!: (value: T) => void;
  let reject!: (cause: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A source whose every registration, load and liveness check the test sees and settles. */
function fakeSource({ liveness = true } = {}) {
  const registrations: { name: string; origin: string; again: boolean }[] = [];
  const loads: (Pending<unknown> & { name: string; expose: string })[] = [];
  const checks: (Pending<string | undefined> & { origin: string; withinMs: number })[] = [];
  const forgotten: string[] = [];
  const source: RemoteSource = {
    registerRelease(name, location, again) {
      registrations.push({ name, origin: location.origin, again });
    },
    forgetRelease(name) {
      forgotten.push(name);
    },
    loadExposed(name, expose) {
      const load = pending<unknown>();
      loads.push({ ...load, name, expose });
      return load.promise;
    },
  };
  if (liveness) {
    source.checkAlive = (location, withinMs) => {
      const check = pending<string | undefined>();
      checks.push({ ...check, origin: location.origin, withinMs });
      return check.promise;
    };
  }
  return { source, registrations, loads, checks, forgotten };
}

function setup({ liveness = true, maxReleases }: { liveness?: boolean; maxReleases?: number } = {}) {
  const clock = new FakeClock();
  const { source, registrations, loads, checks, forgotten } = fakeSource({ liveness });
  const reports: { error: RemoteUnavailableError; location: RemoteLocation }[] = [];
  const logged: Record<keyof LoaderLog, string[]> = { info: [], warn: [], error: [] };
  const log: LoaderLog = {
    info: (message: string) => logged.info.push(message),
    warn: (message: string) => logged.warn.push(message),
    error: (message: string) => logged.error.push(message),
  };
  const loader = createRemoteLoader({
    zone: 'home',
    source,
    clock,
    report: (error, location) => reports.push({ error, location }),
    log,
    maxReleases,
  });
  return { clock, loader, registrations, loads, checks, reports, logged, forgotten };
}

const V1: RemoteLocation = { remote: 'shop', version: '1.0.0', origin: 'http://shop-1-0-0.test' };
const V2: RemoteLocation = { remote: 'shop', version: '1.1.0', origin: 'http://shop-1-1-0.test' };
const HEADER = { default: 'the Header of 1.0.0' };
const HEADER_AGAIN = { default: 'the Header of 1.0.0, loaded again' };
const REFUSED = new Error('connect ECONNREFUSED');

/** A loader whose first load of V1's Header, at time 0, loaded it, or was refused (an outage under way). */
async function afterFirstLoad(outcome: 'loaded' | 'refused', options: { liveness?: boolean } = {}) {
  const test = setup(options);
  const first = test.loader.ensureExposed(V1, './Header');
  if (outcome === 'loaded') test.loads[0]?.resolve(HEADER);
  else test.loads[0]?.reject(REFUSED);
  assert.equal(await first, outcome === 'loaded' ? 'up' : 'down');
  return test;
}

/** A loader whose outage has ended: the retry at 1000 ms loaded the Header again. */
async function recovered() {
  const test = await afterFirstLoad('refused');
  await test.clock.advance(1_000);
  await test.loader.ensureExposed(V1, './Header');
  test.loads[1]?.resolve(HEADER_AGAIN);
  await settled();
  return test;
}

describe("a release's first load", () => {
  it('registers the release under a name of its own and loads the module from it', async () => {
    const { loader, registrations, loads, reports } = setup();
    const answer = loader.ensureExposed(V1, './Header');
    assert.equal(registrations.length, 1);
    assert.match(registrations[0]?.name ?? '', /^shop_r\d+$/);
    assert.deepEqual(registrations[0], { name: registrations[0]?.name, origin: V1.origin, again: false });
    assert.deepEqual(
      loads.map((l) => [l.name, l.expose]),
      [[registrations[0]?.name, './Header']],
    );
    loads[0]?.resolve(HEADER);
    assert.equal(await answer, 'up');
    assert.equal(loader.loadedExposed(V1, './Header'), HEADER);
    assert.equal(reports.length, 0);
  });

  it('shares one load between concurrent requests, and one registration between modules', async () => {
    const { loader, registrations, loads } = setup();
    const answers = [loader.ensureExposed(V1, './Header'), loader.ensureExposed(V1, './Header')];
    const other = loader.ensureExposed(V1, './BrokenComponent');
    assert.deepEqual(
      loads.map((l) => l.expose),
      ['./Header', './BrokenComponent'],
    );
    assert.equal(registrations.length, 1);
    for (const load of loads) load.resolve(HEADER);
    assert.deepEqual(await Promise.all([...answers, other]), ['up', 'up', 'up']);
  });

  it('is not an outage when it only misses the deadline: that request gets the fallback, the next ones the module', async () => {
    const { clock, loader, registrations, loads, reports } = setup();
    const answer = loader.ensureExposed(V1, './Header');
    await clock.advance(599);
    await assert.rejects(atOnce(answer), /still waiting/);
    await clock.advance(1);
    assert.equal(await answer, 'down');
    assert.equal(reports.length, 0);
    assert.equal(loader.inOutage(V1), false, 'slow is not failed: nothing of shop failed on that page');

    // The load goes on; a request meanwhile waits for it, not for a new one.
    const meanwhile = loader.ensureExposed(V1, './Header');
    loads[0]?.resolve(HEADER);
    assert.equal(await meanwhile, 'up');
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'up');
    assert.equal(loads.length, 1);
    assert.equal(registrations.length, 1);
    assert.equal(reports.length, 0);
  });

  it('starts the outage when a load that missed the deadline fails later', async () => {
    const { clock, loader, loads, reports } = setup();
    const answer = loader.ensureExposed(V1, './Header');
    await clock.advance(600);
    assert.equal(await answer, 'down');
    assert.equal(reports.length, 0);
    loads[0]?.reject(REFUSED);
    await settled();
    assert.equal(reports.length, 1);
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'down');
  });

  it('leaves no deadline timer behind once the load has answered', async () => {
    const { clock, loader, loads } = setup();
    const answer = loader.ensureExposed(V1, './Header');
    assert.equal(clock.pendingTimers, 1);
    loads[0]?.resolve(HEADER);
    await answer;
    assert.equal(clock.pendingTimers, 0);
  });
});

describe('an outage', () => {
  it("is reported to the remote's owner once, naming the release that did not load", async () => {
    const { reports, logged } = await afterFirstLoad('refused');
    assert.equal(reports.length, 1);
    const [{ error, location }] = reports as [(typeof reports)[number]];
    assert.ok(error instanceof RemoteUnavailableError);
    assert.equal(error.name, 'RemoteUnavailableError');
    assert.equal(error.owner, 'shop');
    assert.equal(error.release, 'shop@1.0.0');
    assert.equal(error.message, 'shop@1.0.0 could not be loaded from http://shop-1-0-0.test (./Header); home shows its fallback');
    assert.equal(error.cause, REFUSED);
    assert.deepEqual(location, V1);
    assert.deepEqual(logged.error, [`[home] ${error.message}: connect ECONNREFUSED`]);
  });

  it('answers every request at once with "down", for every module, and reports nothing more', async () => {
    const { loader, loads, reports } = await afterFirstLoad('refused');
    for (const expose of ['./Header', './Header', './BrokenComponent']) {
      assert.equal(await atOnce(loader.ensureExposed(V1, expose)), 'down');
    }
    assert.equal(loads.length, 1);
    assert.equal(reports.length, 1);
  });

  it('retries at most once a second, in the background, registering the release again under its name', async () => {
    const { clock, loader, registrations, loads, reports, logged } = await afterFirstLoad('refused');
    const name = registrations[0]?.name;

    await clock.advance(999);
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'down');
    assert.equal(registrations.length, 1, 'no retry before a second has passed');

    await clock.advance(1);
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'down', 'the retrying request does not wait');
    assert.deepEqual(registrations[1], { name, origin: V1.origin, again: true });
    assert.deepEqual(
      loads.map((l) => [l.name, l.expose]),
      [
        [name, './Header'],
        [name, './Header'],
      ],
    );
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'down');
    assert.equal(registrations.length, 2, 'one retry per second, however many requests');

    loads[1]?.reject(REFUSED);
    await settled();
    assert.equal(reports.length, 1, 'a failed retry is the same outage');
    assert.deepEqual(logged.warn, ['[home] shop@1.0.0 still unavailable: connect ECONNREFUSED']);

    await clock.advance(999);
    await loader.ensureExposed(V1, './Header');
    assert.equal(registrations.length, 2);
    await clock.advance(1);
    await loader.ensureExposed(V1, './Header');
    assert.equal(registrations.length, 3);
  });

  it('is what inOutage tells, from the failure until a retry succeeds, for that release only', async () => {
    const failed = await afterFirstLoad('refused');
    assert.equal(failed.loader.inOutage(V1), true);
    assert.equal(failed.loader.inOutage(V2), false);
    const { loader } = await recovered();
    assert.equal(loader.inOutage(V1), false);
  });

  it('ends with the first retry that succeeds: the next request has the module, loaded again', async () => {
    const { loader, loads, reports, logged } = await recovered();
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'up');
    assert.equal(loader.loadedExposed(V1, './Header'), HEADER_AGAIN);
    assert.deepEqual(logged.info, ['[home] shop@1.0.0 is back after 1000 ms']);
    assert.equal(reports.length, 1);

    // The release's other modules load from the new attempt.
    const other = loader.ensureExposed(V1, './BrokenComponent');
    assert.deepEqual(loads[2] && [loads[2].name, loads[2].expose], [loads[1]?.name, './BrokenComponent']);
    loads[2]?.resolve({ default: 'BrokenComponent' });
    assert.equal(await other, 'up');
  });

  it('is reported again when it happens again after a recovery', async () => {
    const { clock, loader, checks, reports } = await recovered();
    await clock.advance(250);
    const answer = loader.ensureExposed(V1, './Header');
    checks[0]?.reject(REFUSED);
    assert.equal(await answer, 'down');
    assert.equal(reports.length, 2);
  });
});

describe('the liveness check of a loaded release (server)', () => {
  /** For 249 ms requests are 'up' at once without a check; the next one asks again (its answer, waiting). */
  async function expectTrustedFor250Ms({ clock, loader, checks }: Awaited<ReturnType<typeof setup>>) {
    const asked = checks.length;
    await clock.advance(249);
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'up');
    assert.equal(checks.length, asked);
    await clock.advance(1);
    const answer = loader.ensureExposed(V1, './Header');
    assert.equal(checks.length, asked + 1);
    return { answer };
  }

  it('trusts the release for 250 ms after it loaded, then asks it, giving the check 2 s', async () => {
    const test = await afterFirstLoad('loaded');
    const { checks } = test;
    const { answer } = await expectTrustedFor250Ms(test);
    assert.deepEqual(
      checks.map((c) => [c.origin, c.withinMs]),
      [[V1.origin, 2_000]],
    );
    checks[0]?.resolve(undefined);
    assert.equal(await answer, 'up');
  });

  it('loads the release again when its check names another build of it (shop recompiled under next dev)', async () => {
    const { clock, loader, checks, loads, registrations } = await afterFirstLoad('loaded');
    await clock.advance(250);
    const same = loader.ensureExposed(V1, './Header');
    checks[0]?.resolve('"build-1"');
    assert.equal(await same, 'up');
    assert.equal(loads.length, 1, 'the first build it hears of is the one it loaded');
    await clock.advance(250);
    const rebuilt = loader.ensureExposed(V1, './Header');
    checks[1]?.resolve('"build-2"');
    await settled();
    assert.deepEqual(registrations.at(-1), { name: registrations[0]?.name, origin: V1.origin, again: true });
    assert.equal(loads.length, 2);
    loads[1]?.resolve(HEADER_AGAIN);
    assert.equal(await rebuilt, 'up');
    assert.equal(loader.loadedExposed(V1, './Header'), HEADER_AGAIN);
  });

  it('is not an outage when it is only slow: after 400 ms the request uses the loaded code, and nothing is reported', async () => {
    const { clock, loader, checks, reports } = await afterFirstLoad('loaded');
    await clock.advance(250);
    const answer = loader.ensureExposed(V1, './Header');
    await clock.advance(400);
    assert.equal(await answer, 'up');
    checks[0]?.resolve(undefined);
    await settled();
    assert.equal(reports.length, 0);
    assert.equal(checks.length, 1);
  });

  it('starts the outage when a slow check fails later (a hung remote): one report, then "down" at once', async () => {
    const { clock, loader, checks, reports } = await afterFirstLoad('loaded');
    await clock.advance(250);
    const first = loader.ensureExposed(V1, './Header');
    await clock.advance(400);
    assert.equal(await first, 'up');
    checks[0]?.reject(new Error('The operation was aborted due to timeout'));
    await settled();
    assert.equal(reports.length, 1);
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'down');
  });

  it('is one check for concurrent requests, and its answer is trusted for the next 250 ms', async () => {
    const test = await afterFirstLoad('loaded');
    const { clock, loader, checks } = test;
    await clock.advance(300);
    const answers = [loader.ensureExposed(V1, './Header'), loader.ensureExposed(V1, './Header')];
    assert.equal(checks.length, 1);
    await clock.advance(100);
    checks[0]?.resolve(undefined);
    assert.deepEqual(await Promise.all(answers), ['up', 'up']);
    await expectTrustedFor250Ms(test);
  });

  it('starts an outage when it fails: reported once, naming the module asked for, then retried', async () => {
    const { clock, loader, checks, registrations, reports } = await afterFirstLoad('loaded');
    await clock.advance(250);
    const answers = [loader.ensureExposed(V1, './Header'), loader.ensureExposed(V1, './Header')];
    checks[0]?.reject(new Error('http://shop-1-0-0.test/_next/static/chunks/remoteEntry.js answered HTTP 404'));
    assert.deepEqual(await Promise.all(answers), ['down', 'down']);
    assert.equal(reports.length, 1);
    assert.match(reports[0]?.error.message ?? '', /^shop@1\.0\.0 could not be loaded from http:\/\/shop-1-0-0\.test \(\.\/Header\)/);

    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'down');
    await clock.advance(1_000);
    await loader.ensureExposed(V1, './Header');
    assert.equal(registrations.at(-1)?.again, true);
  });

  it('is not made where the source has none (a browser, code compiled in)', async () => {
    const { clock, loader, checks } = await afterFirstLoad('loaded', { liveness: false });
    await clock.advance(60_000);
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'up');
    assert.equal(checks.length, 0);
  });
});

describe('two releases side by side', () => {
  it('keep their own registrations, modules and outages', async () => {
    const { loader, registrations, loads, reports } = setup();
    const one = loader.ensureExposed(V1, './Header');
    const two = loader.ensureExposed(V2, './Header');
    assert.deepEqual(
      registrations.map((r) => r.origin),
      [V1.origin, V2.origin],
    );
    assert.notEqual(registrations[0]?.name, registrations[1]?.name);
    assert.deepEqual(
      loads.map((l) => l.name),
      registrations.map((r) => r.name),
    );

    loads[0]?.resolve(HEADER);
    loads[1]?.reject(REFUSED);
    assert.deepEqual(await Promise.all([one, two]), ['up', 'down']);
    assert.deepEqual(
      reports.map((r) => r.error.release),
      ['shop@1.1.0'],
    );
    assert.equal(loader.loadedExposed(V1, './Header'), HEADER);
    assert.equal(loader.loadedExposed(V2, './Header'), undefined);

    // A rollback to 1.0.0 is only a different release to load from: up at once.
    assert.equal(await atOnce(loader.ensureExposed(V1, './Header')), 'up');
    assert.equal(await atOnce(loader.ensureExposed(V2, './Header')), 'down');
  });

  it('are the same release only at the same origin', async () => {
    const { loader, registrations } = setup();
    void loader.ensureExposed(V1, './Header');
    void loader.ensureExposed({ ...V1, origin: 'http://elsewhere.test' }, './Header');
    assert.equal(registrations.length, 2);
  });
});

/** Release `n` of shop, each at an origin of its own (a deploy, a canary, a rollback target). */
const release = (n: number): RemoteLocation => ({ remote: 'shop', version: `1.${n}.0`, origin: `http://shop-1-${n}-0.test` });

/** Loads the Header of each release in turn, each load answering at once. */
async function loadEach(test: ReturnType<typeof setup>, locations: readonly RemoteLocation[]): Promise<void> {
  for (const location of locations) {
    const answer = test.loader.ensureExposed(location, './Header');
    test.loads.at(-1)?.resolve({ default: `the Header of ${location.version}` });
    assert.equal(await answer, 'up');
  }
}

describe('how many releases a loader keeps', () => {
  it(`keeps ${MAX_RELEASES} by default: a server living through many deploys forgets the oldest, and tells the source`, async () => {
    const test = setup({ liveness: false });
    const twenty = Array.from({ length: 20 }, (_, n) => release(n));
    await loadEach(test, twenty);
    assert.equal(test.loader.releaseCount, MAX_RELEASES);
    assert.deepEqual(
      test.forgotten,
      test.registrations.slice(0, 20 - MAX_RELEASES).map((r) => r.name),
    );
    assert.equal(test.loader.loadedExposed(twenty[0] as RemoteLocation, './Header'), undefined);
    assert.deepEqual(test.loader.loadedExposed(twenty[19] as RemoteLocation, './Header'), { default: 'the Header of 1.19.0' });
  });

  it('forgets the release least recently asked for, not the first loaded: the live one stays through canaries', async () => {
    const test = setup({ liveness: false, maxReleases: 2 });
    const [live, canary, next] = [release(0), release(1), release(2)];
    await loadEach(test, [live, canary]);
    assert.equal(await atOnce(test.loader.ensureExposed(live, './Header')), 'up');
    await loadEach(test, [next]);
    assert.deepEqual(test.forgotten, [test.registrations[1]?.name]);
    assert.deepEqual(test.loader.loadedExposed(live, './Header'), { default: 'the Header of 1.0.0' });
    assert.equal(test.loader.loadedExposed(canary, './Header'), undefined);
  });

  it('loads a forgotten release anew, under a new name, when it is asked for again (a rollback to it)', async () => {
    const test = setup({ liveness: false, maxReleases: 1 });
    await loadEach(test, [release(0), release(1), release(0)]);
    assert.equal(test.registrations.length, 3);
    assert.equal(new Set(test.registrations.map((r) => r.name)).size, 3);
    assert.deepEqual(test.forgotten, [test.registrations[0]?.name, test.registrations[1]?.name]);
    assert.equal(test.loads.length, 3);
  });

  it("counts a slot's wait as a use, and forgets what it waited on with the release", async () => {
    const test = setup({ liveness: false, maxReleases: 1 });
    const first = test.loader.whenLoaded(V1, './Header');
    test.loads[0]?.resolve(HEADER);
    assert.equal(await first, HEADER);
    await loadEach(test, [V2]);
    const again = test.loader.whenLoaded(V1, './Header');
    assert.notEqual(again, first, 'a new wait: the release is loaded anew');
    test.loads.at(-1)?.resolve(HEADER_AGAIN);
    assert.equal(await again, HEADER_AGAIN);
    assert.equal(test.loader.releaseCount, 1);
  });

  it('forgets everything when disposed of (a loader made for one page)', async () => {
    const test = setup({ liveness: false });
    await loadEach(test, [release(0), release(1)]);
    test.loader.dispose();
    assert.equal(test.loader.releaseCount, 0);
    assert.deepEqual(
      test.forgotten,
      test.registrations.map((r) => r.name),
    );
  });

  it('refuses to keep no release at all', () => {
    assert.throws(() => setup({ maxReleases: 0 }), /maxReleases must be at least 1/);
  });
});

describe('loaders side by side (the zone and a lab visit)', () => {
  it('share no state: each reports its own outage, under names of its own', async () => {
    const clock = new FakeClock();
    const { source, registrations, loads } = fakeSource();
    const reports: string[] = [];
    const quiet: LoaderLog = { info: () => {}, warn: () => {}, error: () => {} };
    const make = () =>
      createRemoteLoader({ zone: 'checkout', source, clock, report: (error) => reports.push(error.message), log: quiet });
    const [zone, visit] = [make(), make()];
    const answers = [zone.ensureExposed(V1, './Header'), visit.ensureExposed(V1, './Header')];
    for (const load of loads) load.reject(REFUSED);
    assert.deepEqual(await Promise.all(answers), ['down', 'down']);
    assert.equal(reports.length, 2);
    assert.notEqual(registrations[0]?.name, registrations[1]?.name);
  });
});

describe('whenLoaded (what a slot suspends on)', () => {
  it('is the same promise until the module loads, then the module', async () => {
    const { loader, loads } = setup();
    const first = loader.whenLoaded(V1, './Header');
    assert.equal(loader.whenLoaded(V1, './Header'), first);
    loads[0]?.resolve(HEADER);
    assert.equal(await first, HEADER);
    assert.equal(loader.whenLoaded(V1, './Header'), first);
  });

  it('is null for a module that is down, and a new promise (a new attempt) once a retry is due', async () => {
    const { clock, loader, loads, registrations } = setup({ liveness: false });
    const first = loader.whenLoaded(V1, './Header');
    loads[0]?.reject(REFUSED);
    assert.equal(await first, null);

    await clock.advance(999);
    assert.equal(loader.whenLoaded(V1, './Header'), first);
    await clock.advance(1);
    const second = loader.whenLoaded(V1, './Header');
    assert.notEqual(second, first);
    assert.equal(registrations.at(-1)?.again, true);
    assert.equal(await second, null, 'the retry runs in the background');

    loads[1]?.resolve(HEADER_AGAIN);
    await settled();
    await clock.advance(1_000);
    assert.equal(await loader.whenLoaded(V1, './Header'), HEADER_AGAIN);
  });
});

describe('withDeadline', () => {
  it('rejects, naming what was late, once the deadline passes', async () => {
    const clock = new FakeClock();
    const late = assert.rejects(withDeadline(new Promise<never>(() => {}), 500, 'the manifest', clock), {
      message: 'the manifest did not load within 500 ms',
    });
    await clock.advance(500);
    await late;
  });

  it('passes the work through and cancels its timer when the work settles first', async () => {
    const clock = new FakeClock();
    assert.equal(await withDeadline(Promise.resolve(7), 500, 'the manifest', clock), 7);
    assert.equal(clock.pendingTimers, 0);
  });
});
