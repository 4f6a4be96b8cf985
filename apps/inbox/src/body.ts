/** Reading a request body and undoing its `Content-Encoding` (gzip, deflate, br), with size limits. */

import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';

/** Bigger than any event an SDK sends (Sentry's own limit for an envelope is of this order). */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the whole body; rejects with a 413 BodyError past `limit` bytes (after draining it). */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > limit) reject(new BodyError(413, `The body is larger than ${limit} bytes.`));
      else resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

type Decoder = (body: Buffer, limit: number) => Promise<Buffer>;

const gunzipBody: Decoder = (body, limit) => promisify(gunzip)(body, { maxOutputLength: limit });

const decoders: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['gzip', gunzipBody],
  ['x-gzip', gunzipBody],
  // HTTP's "deflate" is zlib-wrapped, but some clients send raw deflate: accept both.
  [
    'deflate',
    (body, limit) =>
      promisify(inflate)(body, { maxOutputLength: limit }).catch((error: unknown) => {
        if (isTooLarge(error)) throw error;
        return promisify(inflateRaw)(body, { maxOutputLength: limit });
      }),
  ],
  ['br', (body, limit) => promisify(brotliDecompress)(body, { maxOutputLength: limit })],
]);

function isTooLarge(error: unknown): boolean {
  return error instanceof RangeError || (error instanceof Error && 'code' in error && error.code === 'ERR_BUFFER_TOO_LARGE');
}

/** Undoes the encodings of `Content-Encoding` (applied in order, so undone in reverse). */
export async function decodeBody(
  body: Buffer,
  contentEncoding: string | undefined,
  limit = MAX_BODY_BYTES,
): Promise<Buffer> {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  let decoded = body;
  for (const encoding of encodings.reverse()) {
    const decode = decoders.get(encoding);
    if (!decode) throw new BodyError(415, `Unsupported Content-Encoding "${encoding}"; use gzip, deflate or br.`);
    try {
      decoded = await decode(decoded, limit);
    } catch (error) {
      if (isTooLarge(error)) throw new BodyError(413, `The decoded body is larger than ${limit} bytes.`);
      throw new BodyError(400, `The body is not valid ${encoding} data.`);
    }
  }
  return decoded;
}
