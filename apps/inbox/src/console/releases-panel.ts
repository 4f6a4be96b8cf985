/**
 * The Releases panel of a remote's team view (`/teams/shop`): what the hosts load of the remote
 * and the controls that change it, from the release registry (@repo/releases):
 *
 * - the live release, and the canary (release, share of visitors, since when) with buttons that
 *   promote or end it, and a form that starts one (release-pointer.ts answers them all);
 * - every registered release, with a button that makes it live (a deploy or a rollback);
 * - Release health: per release of the remote, the sessions of the page views that ran it, how
 *   many failed, the crash-free rate and errors per session, live and canary marked: what the
 *   guard compares;
 * - the latest moves with who made them and why; the guard's rollbacks stand out with their
 *   reason and figures.
 *
 * Plain forms, no script, so the CSP only needs `form-action 'self'`. The registry is read on
 * every render, so the panel shows what the hosts follow. A registry that cannot be read shows
 * its error instead; the rest of the page is unaffected.
 */

import type { PointerMove, ReleaseRecord, RemoteReleases } from '@repo/releases/registry';
import type { RegistryStore } from '@repo/releases/store';
import { hostsOf, topology, type RemoteName } from '@repo/topology';
import type { ReleaseHealth } from '../sessions/health.ts';
import { type Html, html, page, time } from '../ui/html.ts';
import { actionPath, type PointerAction } from './release-pointer.ts';

/** How many moves the panel shows, newest first. */
export const MOVES_SHOWN = 8;

/** The percent the start form offers when no canary runs. */
export const DEFAULT_CANARY_PERCENT = 10;

/** Recorded as `by` by the release guard (apps/guard). */
const GUARD = 'guard';

export interface PanelContext {
  readonly store: RegistryStore;
  /** Release health of the remote's project. */
  readonly health: readonly ReleaseHealth[];
  /** The read token the page was opened with, carried in every form. */
  readonly token: string | undefined;
}

interface Listed {
  readonly version: string;
  readonly record: ReleaseRecord;
}

/** Releases in registration order (by `registeredAt`, then as listed in the file). */
function inRegistrationOrder(releases: Readonly<Record<string, ReleaseRecord>>): Listed[] {
  return Object.entries(releases)
    .map(([version, record]) => ({ version, record }))
    .sort((a, b) => (a.record.registeredAt < b.record.registeredAt ? -1 : a.record.registeredAt > b.record.registeredAt ? 1 : 0));
}

function releaseLabel(remote: RemoteName, version: string | null): string {
  return version === null ? 'none' : `${remote}@${version}`;
}

function commands(remote: RemoteName): Html {
  return html`<p class="muted">From a terminal: <code>npm run releases</code> lists every release, the canary and the last moves;
    <code>npm run canary -- ${remote} &lt;release&gt; --percent &lt;n&gt;</code> starts a canary, <code>npm run promote -- ${remote}</code>
    makes it live; <code>npm run rollback -- ${remote} &lt;release&gt;</code> makes a release live and ends any canary;
    <code>npm run deploy -- ${remote} &lt;version&gt;</code> builds, serves and points at a new one.</p>`;
}

/** A form posting to one of the panel's endpoints, with the page's token. */
function actionForm(remote: RemoteName, action: PointerAction, fields: Html, button: Html | string, attributes: Html = html``): Html {
  return html`<form method="post" action="${actionPath(remote, action)}" class="inline"${attributes}>${fields}<button type="submit">${button}</button></form>`;
}

function hidden(name: string, value: string | undefined): Html | '' {
  return value === undefined ? '' : html`<input type="hidden" name="${name}" value="${value}">`;
}

/** The live release and the canary, with promote / end, and the form that starts a canary. */
function rolloutSection(remote: RemoteName, entry: RemoteReleases, listed: readonly Listed[], token: string | undefined): Html {
  const { live, canary } = entry;
  const tokenField = hidden('token', token);
  const liveLine =
    live === null
      ? html`<p data-no-live>No release of ${remote} is live: the hosts load it from its default origin. Make one live below before starting a canary.</p>`
      : html`<p data-live-release="${live}">Live: <code>${remote}@${live}</code> <span class="badge-live">live</span>
          for ${canary ? html`every visitor outside the canary` : html`every visitor`}.</p>`;

  const canaryLine = canary
    ? html`<div class="canary" data-canary="${canary.version}">
        <p>Canary: <code>${remote}@${canary.version}</code> <span class="badge-canary">canary</span> for
          <strong data-canary-percent>${canary.percent} %</strong> of visitors since ${time(canary.since)} (started by ${canary.by}).
          A visitor keeps their release across pages and zones; raising the percent keeps the visitors the canary has.</p>
        <p>${actionForm(
          remote,
          'promote',
          html`${hidden('version', canary.version)}${tokenField}`,
          `Promote ${remote}@${canary.version} to live`,
          html` data-promote="${canary.version}"`,
        )} ${actionForm(
          remote,
          'end',
          html`${hidden('version', canary.version)}${tokenField}`,
          `End the canary (every visitor back on ${releaseLabel(remote, live)})`,
          html` data-end-canary="${canary.version}"`,
        )}</p>
      </div>`
    : html`<p data-no-canary>No canary: every visitor gets the live release.</p>`;

  const candidates = listed.filter((release) => release.version !== live).reverse();
  let start: Html | '' = '';
  if (live !== null && candidates.length === 0) {
    start = html`<p class="muted">A canary needs a second registered release of ${remote}: deploy one first.</p>`;
  } else if (live !== null) {
    const chosen = canary?.version ?? candidates[0]?.version;
    start = html`<form method="post" action="${actionPath(remote, 'canary')}" class="start-canary" data-start-canary>
      <label for="canary-version">${canary ? 'Change the canary:' : 'Start a canary:'} release</label>
      <select id="canary-version" name="version" required>${candidates.map(
        (release) =>
          html`<option value="${release.version}"${release.version === chosen ? html` selected` : ''}>${remote}@${release.version}</option>`,
      )}</select>
      <label for="canary-percent">for</label>
      <input id="canary-percent" name="percent" type="number" min="0" max="100" step="1" required value="${canary?.percent ?? DEFAULT_CANARY_PERCENT}" aria-describedby="canary-help"> %
      ${tokenField}<button type="submit">${canary ? 'Change canary' : 'Start canary'}</button>
      <p id="canary-help" class="muted">The share of visitors (0 to 100) who get the release instead of the live one. The release must be
        answering; the release guard rolls a canary back by itself when its sessions fail significantly more than the live release's.</p>
    </form>`;
  }
  return html`${liveLine}${canaryLine}${start}`;
}

/** Every registered release, newest first, each with a button that makes it live. */
function releaseTable(remote: RemoteName, entry: RemoteReleases, listed: readonly Listed[], token: string | undefined): Html {
  const liveIndex = listed.findIndex((release) => release.version === entry.live);
  const rows = listed
    .map((release, index) => {
      const name = `${remote}@${release.version}`;
      const isLive = index === liveIndex;
      const isCanary = entry.canary?.version === release.version;
      const label = liveIndex !== -1 && index < liveIndex ? `Roll back to ${name}` : `Make ${name} live`;
      return html`<tr data-release="${release.version}"${isLive ? html` data-live` : ''}${isCanary ? html` data-canary` : ''}>
        <td><code>${name}</code>${isLive ? html` <span class="badge-live">live</span>` : ''}${
          isCanary ? html` <span class="badge-canary">canary ${entry.canary?.percent ?? 0} %</span>` : ''
        }</td>
        <td><code>${release.record.origin}</code></td>
        <td class="muted">${release.record.registeredAt === '' ? 'unknown' : time(release.record.registeredAt)}</td>
        <td>${
          isLive
            ? ''
            : actionForm(remote, 'live', html`${hidden('version', release.version)}${hidden('token', token)}`, label, html` data-make-live="${release.version}"`)
        }</td>
      </tr>`;
    })
    .reverse();
  return html`<table data-release-list><thead><tr><th scope="col">Release</th><th scope="col">Origin</th><th scope="col">Registered</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
      <tbody>${rows}</tbody></table>
    <p class="muted">Making a release live ends any canary. These buttons do not check that the release's server answers (the canary
      form does): a release that is not serving puts the hosts on their fallback for ${remote}.</p>`;
}

function rate(value: number): string {
  return `${Number((value * 100).toFixed(1))} %`;
}

/** Release health, live and canary first, each marked; a release with no sessions yet says so. */
function healthTable(remote: RemoteName, entry: RemoteReleases, health: readonly ReleaseHealth[]): Html {
  const live = entry.live === null ? undefined : `${remote}@${entry.live}`;
  const canary = entry.canary ? `${remote}@${entry.canary.version}` : undefined;
  const rolloutOf = (release: string) => (release === canary ? 'canary' : release === live ? 'live' : undefined);
  const pinned = [canary, live].filter((release): release is string => release !== undefined);
  const byRelease = new Map(health.map((row) => [row.release, row]));
  const rows = [...pinned.map((release) => byRelease.get(release) ?? release), ...health.filter((row) => !pinned.includes(row.release))];
  if (rows.length === 0) {
    return html`<p class="muted" data-no-health>No sessions of ${remote} yet: each page view that renders ${remote}'s modules sends one.</p>`;
  }
  const row = (item: ReleaseHealth | string): Html => {
    const release = typeof item === 'string' ? item : item.release;
    const rollout = rolloutOf(release);
    const badge = rollout === undefined ? '' : html` <span class="badge-${rollout}">${rollout}</span>`;
    const head = html`<th scope="row"><code>${release}</code>${badge}</th>`;
    const marks = html` data-health="${release}"${rollout === undefined ? '' : html` data-rollout="${rollout}"`}`;
    if (typeof item === 'string') return html`<tr${marks}>${head}<td colspan="5" class="muted">no sessions yet</td></tr>`;
    const failedShare = item.sessions === 0 ? '' : ` (${rate(item.failed / item.sessions)})`;
    return html`<tr${marks}>${head}
      <td class="num">${item.sessions}</td>
      <td class="num">${item.failed}${failedShare}</td>
      <td class="num">${item.crashFreeRate === null ? '—' : rate(item.crashFreeRate)}</td>
      <td class="num">${item.errorsPerSession === null ? '—' : item.errorsPerSession.toFixed(2)}</td>
      <td class="muted">${item.lastSeen === null ? '' : time(item.lastSeen)}</td>
    </tr>`;
  };
  return html`<table data-release-health><thead><tr><th scope="col">Release</th><th scope="col" class="num">Sessions</th>
      <th scope="col" class="num">Failed</th><th scope="col" class="num">Crash-free</th><th scope="col" class="num">Errors per session</th>
      <th scope="col">Last seen</th></tr></thead>
    <tbody>${rows.map(row)}</tbody></table>
    <p class="muted">A session is a page view that rendered ${remote}'s modules, in ${remote}'s project with the release that ran; failed
      = errored, crashed or abnormal (${remote}'s code failed during it), crash-free = not crashed.</p>`;
}

/** What a move did, in words. */
function describe(remote: RemoteName, move: PointerMove): Html {
  const from = releaseLabel(remote, move.from);
  const to = releaseLabel(remote, move.to);
  const share = move.percent === undefined ? '' : ` at ${move.percent} %`;
  switch (move.kind) {
    case 'canary':
      return html`canary <code>${to}</code>${share} <span class="muted">(live ${from})</span>`;
    case 'canary-end':
      return html`canary <code>${from}</code>${share} ended, every visitor on <code>${to}</code>`;
    case 'promote':
      return html`canary <code>${to}</code> promoted to live <span class="muted">(was ${from})</span>`;
    default:
      return html`live <code>${from}</code> → <code>${to}</code>`;
  }
}

function figuresOf(move: PointerMove): Html | '' {
  const figures = Object.entries(move.figures ?? {});
  if (figures.length === 0) return '';
  return html`<div class="figures"><code>${figures.map(([key, value]) => `${key}=${value}`).join(' ')}</code></div>`;
}

function movesTable(remote: RemoteName, moves: readonly PointerMove[]): Html {
  const shown = moves.slice(-MOVES_SHOWN).reverse();
  if (shown.length === 0) return html`<p class="muted">The pointer has not moved yet.</p>`;
  return html`<table data-release-moves><thead><tr><th scope="col">Move</th><th scope="col">By</th><th scope="col">Why</th><th scope="col">At</th></tr></thead><tbody>${shown.map(
    (move) => {
      const rollback = move.by === GUARD && move.kind === 'canary-end';
      return html`<tr${rollback ? html` class="guard-rollback" data-guard-rollback` : ''} data-kind="${move.kind ?? 'live'}">
        <td>${rollback ? html`<strong>Rolled back by the guard:</strong> ` : ''}${describe(remote, move)}</td>
        <td>${move.by}</td>
        <td>${move.reason ?? ''}${figuresOf(move)}</td>
        <td class="muted">${time(move.at)}</td>
      </tr>`;
    },
  )}</tbody></table>`;
}

/** The panel for `remote`, reading the registry now. */
export async function releasesSection(remote: RemoteName, { store, health, token }: PanelContext): Promise<Html> {
  const hosts = hostsOf(topology, remote).map((zone) => zone.name);
  const open = html`<section id="releases" data-releases="${remote}" aria-labelledby="releases-heading"><h2 id="releases-heading">Releases</h2>
    <p class="muted">The hosts (${hosts.join(', ')}) load ${remote} from the release the registry names for each visitor: the live
      one, or the canary for its share of visitors. A move is a deploy or a rollback, followed on their next requests, with no
      rebuild or restart. Registry <code>${store.location}</code>.</p>`;

  let entry: RemoteReleases | undefined;
  try {
    entry = (await store.read())[remote];
  } catch (error) {
    return html`${open}
      <p class="error" data-registry-error role="alert">The release registry cannot be read: ${error instanceof Error ? error.message : String(error)}</p>
      <p class="muted">Hosts keep the last registry they could read until it is fixed.</p>
      ${commands(remote)}</section>`;
  }

  const listed = inRegistrationOrder(entry?.releases ?? {});
  if (!entry || listed.length === 0) {
    return html`${open}
      <p data-no-releases>No release of ${remote} is registered yet: a release registers itself when its server starts,
        and the hosts load ${remote} from its default origin meanwhile.</p>
      ${commands(remote)}</section>`;
  }

  return html`${open}
    ${rolloutSection(remote, entry, listed, token)}
    <h3>Release health</h3>
    ${healthTable(remote, entry, health)}
    <h3>Registered releases</h3>
    ${releaseTable(remote, entry, listed, token)}
    <h3>Latest moves</h3>
    ${movesTable(remote, entry.moves)}
    ${commands(remote)}</section>`;
}

/** What a person sees when a form of the panel was refused: the reason, and the way back. */
export function refusalPage(detail: string, back: string): string {
  return page(
    'Nothing moved',
    html`<h1>Nothing moved</h1>
      <p class="error" role="alert" data-refusal>${detail}</p>
      <p><a href="${back}">Back to the releases</a></p>`,
    { nav: html`` },
  );
}
