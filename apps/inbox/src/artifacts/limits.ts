/**
 * Limits of the source-map upload API. Sentry advertises 8 MiB chunks, 64 per request, 32 MiB per
 * request and 2 GiB per file; a local inbox keeps a bundle in memory while it checks it, so it
 * takes bundles up to 256 MiB (a zone's production build with its server and browser maps is a few
 * tens of MiB) and says so in the chunk-upload options, which sentry-cli obeys.
 *
 * Zip bombs: a bundle is refused before anything is kept when it has more entries than
 * MAX_BUNDLE_ENTRIES, an entry (declared or actual) larger than MAX_ENTRY_BYTES, more than
 * MAX_UNCOMPRESSED_BYTES in all, or an entry that expands more than MAX_RATIO times. Entries are
 * inflated one at a time with the declared size as the output cap, so no more than one entry's
 * declared size is ever held.
 */

const MIB = 1024 * 1024;

/** One chunk, raw (sentry-cli splits the bundle into chunks of this size). */
export const CHUNK_SIZE = 8 * MIB;
/** Chunks per chunk-upload request. */
export const CHUNKS_PER_REQUEST = 4;
/** The chunks of one request together (sentry-cli counts them raw; gzip never grows them by more than 0.1 %). */
export const MAX_REQUEST_SIZE = 32 * MIB;
/** The chunk-upload request body as received: the chunks plus room for multipart headers and gzip's overhead. */
export const MAX_CHUNK_REQUEST_BYTES = MAX_REQUEST_SIZE + 1 * MIB;
/** The assemble request: a small JSON document. */
export const MAX_ASSEMBLE_REQUEST_BYTES = 256 * 1024;

/** One assembled bundle (the zip). */
export const MAX_FILE_SIZE = 256 * MIB;
/** Chunk names one assemble request may list. */
export const MAX_CHUNKS_PER_BUNDLE = Math.ceil(MAX_FILE_SIZE / CHUNK_SIZE) + 1;

export const MAX_BUNDLE_ENTRIES = 10_000;
export const MAX_ENTRY_BYTES = 64 * MIB;
export const MAX_UNCOMPRESSED_BYTES = 1024 * MIB;
/** Deflate can reach about 1000:1; JSON source maps and minified code stay far below 100:1. */
export const MAX_RATIO = 200;
/** Below this an entry's ratio is not checked: tiny files of repeated bytes are harmless. */
export const RATIO_FLOOR_BYTES = 1 * MIB;

/** The manifest, parsed whole. */
export const MAX_MANIFEST_BYTES = 16 * MIB;

/** Chunks kept on disk while waiting for their assemble request, in all. */
export const MAX_PENDING_CHUNK_BYTES = 2 * MAX_FILE_SIZE;
