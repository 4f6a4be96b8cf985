/**
 * The Releases panel of a remote's team view (`/teams/shop`): the remote's registered releases
 * from the release registry (@repo/releases), which one is live, a button per other release that
 * makes it live (`POST /api/releases/<remote>/live`, release-pointer.ts), and the last pointer
 * moves. A plain form: no script, so the CSP only needs `form-action 'self'`.
 *
 * The registry is read on every render, as the hosts read it on every request, so the panel
 * shows what they load. A registry that cannot be read shows its error instead of the list; the
 * rest of the page is unaffected.
 */

import { readRegistry, type PointerMove, type ReleaseRecord, type RemoteReleases } from '@repo/releases/registry';
import { hostsOf, topology, type RemoteName } from '@repo/topology';
import { type Html, html, time } from '../ui/html.ts';
import { livePath } from './release-pointer.ts';

/** How many pointer moves the panel shows, newest first. */
export const MOVES_SHOWN = 5;

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

/** A move's field as text: the registry checks releases, not the history, so trust nothing. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value) ?? '';
}

function releaseLabel(remote: RemoteName, version: unknown): string {
  return version === null || version === undefined ? 'none' : `${remote}@${text(version)}`;
}

function commands(remote: RemoteName): Html {
  return html`<p class="muted">From a terminal: <code>npm run releases</code> lists every release and which is live;
    <code>npm run rollback -- ${remote} &lt;release&gt;</code> makes one live (it first checks that the release answers);
    <code>npm run deploy -- ${remote} &lt;version&gt;</code> builds, serves and points at a new one.</p>`;
}

function moveButton(remote: RemoteName, version: string, label: string, token: string | undefined): Html {
  return html`<form method="post" action="${livePath(remote)}" class="inline" data-make-live="${version}"><input type="hidden" name="version" value="${version}">${
    token === undefined ? '' : html`<input type="hidden" name="token" value="${token}">`
  }<button type="submit">${label}</button></form>`;
}

function movesTable(remote: RemoteName, moves: readonly PointerMove[]): Html {
  const shown = moves.slice(-MOVES_SHOWN).reverse();
  if (shown.length === 0) return html`<p class="muted">The pointer has not moved yet.</p>`;
  return html`<table data-release-moves><thead><tr><th>Move</th><th>By</th><th>At</th></tr></thead><tbody>${shown.map(
    (move) => html`<tr>
      <td>${releaseLabel(remote, move.from)} → ${releaseLabel(remote, move.to)}</td>
      <td>${text(move.by)}</td>
      <td class="muted">${time(text(move.at))}</td>
    </tr>`,
  )}</tbody></table>`;
}

/** The panel for `remote`, reading `file` now; `token` is the read token the page was opened with. */
export function releasesSection(remote: RemoteName, file: string, token: string | undefined): Html {
  const hosts = hostsOf(topology, remote).map((zone) => zone.name);
  const heading = html`<h2>Releases</h2>
    <p class="muted">The hosts (${hosts.join(', ')}) load the live release of ${remote} on every request: making another
      release live is a deploy or a rollback, effective on their next request, with no rebuild or restart.
      Registry <code>${file}</code>.</p>`;

  let entry: RemoteReleases | undefined;
  try {
    entry = readRegistry(file)[remote];
  } catch (error) {
    return html`<section id="releases" data-releases="${remote}">${heading}
      <p class="error" data-registry-error>The release registry cannot be read: ${error instanceof Error ? error.message : String(error)}</p>
      <p class="muted">Hosts keep the last registry they could read until the file is fixed.</p>
      ${commands(remote)}</section>`;
  }

  const listed = inRegistrationOrder(entry?.releases ?? {});
  if (!entry || listed.length === 0) {
    return html`<section id="releases" data-releases="${remote}">${heading}
      <p data-no-releases>No release of ${remote} is registered yet: a release registers itself when its server starts,
        and the hosts load ${remote} from its default origin meanwhile.</p>
      ${commands(remote)}</section>`;
  }

  const liveIndex = listed.findIndex((release) => release.version === entry.live);
  const rows = listed
    .map((release, index) => {
      const name = `${remote}@${release.version}`;
      const isLive = index === liveIndex;
      const label = liveIndex !== -1 && index < liveIndex ? `Roll back to ${name}` : `Make ${name} live`;
      return html`<tr data-release="${release.version}"${isLive ? html` data-live` : ''}>
        <td><code>${name}</code>${isLive ? html` <span class="badge-live">live</span>` : ''}</td>
        <td><code>${release.record.origin}</code></td>
        <td class="muted">${release.record.registeredAt === '' ? 'unknown' : time(release.record.registeredAt)}</td>
        <td>${isLive ? '' : moveButton(remote, release.version, label, token)}</td>
      </tr>`;
    })
    .reverse();

  return html`<section id="releases" data-releases="${remote}">${heading}
    ${entry.live === null ? html`<p data-no-live>No release of ${remote} is live: the hosts load it from its default origin.</p>` : ''}
    <table data-release-list><thead><tr><th>Release</th><th>Origin</th><th>Registered</th><th></th></tr></thead>
      <tbody>${rows}</tbody></table>
    <p class="muted">The buttons move the pointer without checking that the release's server answers: a release that is
      not serving puts the hosts on their fallback for ${remote}.</p>
    <h3>Latest pointer moves</h3>
    ${movesTable(remote, entry.moves)}
    ${commands(remote)}</section>`;
}
