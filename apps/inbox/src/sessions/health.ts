/**
 * Release health of an owner's project, per release, for the deploy console's panel: sessions
 * (release-health sessions, sessions/store.ts), how many failed or crashed, and the error events
 * of that release stored in the same project. Over all the time the inbox holds.
 */

import type { Owner } from '@repo/topology';
import { eventLevel, releaseOf } from '../event.ts';
import { projectBySlug } from '../projects.ts';
import type { EventStore } from '../store.ts';

export interface ReleaseHealth {
  readonly release: string;
  readonly sessions: number;
  /** errored + crashed + abnormal. */
  readonly failed: number;
  readonly crashed: number;
  /** 1 − crashed/sessions; null when no sessions. */
  readonly crashFreeRate: number | null;
  /** Error events (level error or fatal) of the release in the project. */
  readonly errors: number;
  readonly errorsPerSession: number | null;
  /** The latest session update or event of the release (ISO), null when neither has a time. */
  readonly lastSeen: string | null;
}

const ERROR_LEVELS: ReadonlySet<string> = new Set(['error', 'fatal']);

/** The owner's releases, the one seen last first. */
export function releaseHealth(store: EventStore, owner: Owner): ReleaseHealth[] {
  const project = projectBySlug(owner);
  if (!project) return [];
  const byRelease = new Map<string, { sessions: number; failed: number; crashed: number; errors: number; lastSeen: number }>();
  const entry = (release: string) => {
    let found = byRelease.get(release);
    if (!found) byRelease.set(release, (found = { sessions: 0, failed: 0, crashed: 0, errors: 0, lastSeen: 0 }));
    return found;
  };
  for (const row of store.sessions.releases(project.id)) {
    const found = entry(row.release);
    found.sessions += row.sessions;
    found.failed += row.failed;
    found.crashed += row.crashed;
    found.lastSeen = Math.max(found.lastSeen, row.lastSeen);
  }
  for (const record of store.events(project.id)) {
    const release = releaseOf(record.event);
    // Error events only: a captured message at info or warning level is no failure.
    if (release === undefined || !ERROR_LEVELS.has(eventLevel(record.event))) continue;
    const found = entry(release);
    found.errors += 1;
    found.lastSeen = Math.max(found.lastSeen, Date.parse(record.received) || 0);
  }
  return [...byRelease]
    .map(([release, { sessions, failed, crashed, errors, lastSeen }]) => ({
      release,
      sessions,
      failed,
      crashed,
      crashFreeRate: sessions === 0 ? null : 1 - crashed / sessions,
      errors,
      errorsPerSession: sessions === 0 ? null : errors / sessions,
      lastSeen: lastSeen > 0 ? new Date(lastSeen).toISOString() : null,
    }))
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') || a.release.localeCompare(b.release));
}
