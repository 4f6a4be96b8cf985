/**
 * Size limits of ingest, after Sentry's (https://develop.sentry.dev/sdk/data-model/envelopes/#size-limits):
 * Sentry takes 200 MiB compressed / 100 MiB decompressed per envelope in general, 20 MiB for an
 * envelope without attachments, and 1 MiB per event or transaction item (decompressed). A local
 * inbox stores no attachments, so one limit of 20 MiB serves both the body as received and the
 * body decompressed. Anything above is answered 413 and nothing of it is stored.
 */

const MIB = 1024 * 1024;

/** The request body as received (possibly compressed). */
export const MAX_RAW_BODY_BYTES = 20 * MIB;

/** The body once its Content-Encoding is undone: inflating stops here (decompression bombs). */
export const MAX_DECODED_BODY_BYTES = 20 * MIB;

/** One event (an envelope's `event` or `transaction` item, or the store endpoint's body). */
export const MAX_EVENT_BYTES = 1 * MIB;
