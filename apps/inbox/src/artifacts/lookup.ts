/**
 * What the inbox's artifact store offers the symbolicator: the source map (and minified file) uploaded
 * for a debug ID, scoped by project as Sentry scopes it. Kept apart from the store so the resolver can
 * be written and tested against this shape alone.
 */

export interface ArtifactFile {
  readonly url: string;
  /** Read from the bundle when first asked for; throws if the bundle cannot be read. */
  readonly text: string;
}

export interface DebugIdArtifact {
  /** Lower-case uuid with dashes. */
  readonly debugId: string;
  /** The artifact bundle's checksum (sha1). */
  readonly bundleId: string;
  /** The bundle manifest's release, e.g. "shop@1.0.0". */
  readonly release: string | undefined;
  /** The map (JSON text) and its manifest url ("~/…js.map"). */
  readonly sourceMap: ArtifactFile;
  readonly minifiedSource: ArtifactFile | undefined;
}

export interface ArtifactLookup {
  /** The newest bundle's files for this debug ID among those uploaded to `projectSlug`; undefined if none. Synchronous. */
  find(debugId: string, projectSlug: string): DebugIdArtifact | undefined;
}
