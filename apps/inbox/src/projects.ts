/** The inbox's projects, one per owner, as the topology declares them. */

import { INBOX_PROJECTS, ZONE_NAMES, type Owner } from '@repo/topology';

export interface Project {
  readonly id: number;
  /** The owner's name: the project's slug in web API paths. */
  readonly slug: Owner;
  readonly publicKey: string;
}

export const PROJECTS: readonly Project[] = ZONE_NAMES.map((owner) => ({
  id: INBOX_PROJECTS[owner].id,
  slug: owner,
  publicKey: INBOX_PROJECTS[owner].publicKey,
}));

export function projectById(id: number): Project | undefined {
  return PROJECTS.find((project) => project.id === id);
}

export function projectBySlug(slug: string): Project | undefined {
  return PROJECTS.find((project) => project.slug === slug);
}
