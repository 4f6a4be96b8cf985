/**
 * Reading a request body and undoing its `Content-Encoding` (gzip, deflate, br) as it streams in,
 * with two limits: the bytes received and the bytes decoded. Decoding is streamed so a
 * decompression bomb is stopped as soon as its output passes the limit: the inflater is destroyed
 * and no more than the limit (plus one zlib chunk) is ever held. The rest of the body is read and
 * discarded, so the client gets its 413 instead of a reset connection.
 */

import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { MAX_DECODED_BODY_BYTES, MAX_RAW_BODY_BYTES } from './limits.ts';

export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface BodyLimits {
  readonly maxRawBytes: number;
  readonly maxDecodedBytes: number;
}

/** Ingest's limits, after Sentry's (limits.ts). */
export const INGEST_BODY_LIMITS: BodyLimits = { maxRawBytes: MAX_RAW_BODY_BYTES, maxDecodedBytes: MAX_DECODED_BODY_BYTES };

type DecoderFactory = (first: Buffer) => Transform;

const DECODERS: ReadonlyMap<string, DecoderFactory> = new Map<string, DecoderFactory>([
  ['gzip', () => createGunzip()],
  ['x-gzip', () => createGunzip()],
  // HTTP's "deflate" is zlib-wrapped, but some clients send raw deflate: a zlib stream starts
  // with a CMF byte whose low nibble is 8 and (CMF*256 + FLG) % 31 === 0.
  ['deflate', (first) => (isZlibHeader(first) ? createInflate() : createInflateRaw())],
  ['br', () => createBrotliDecompress()],
]);

function isZlibHeader(first: Buffer): boolean {
  const cmf = first[0];
  const flg = first[1];
  return cmf !== undefined && flg !== undefined && (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
}

/** The encodings of a `Content-Encoding` header in the order to undo them; throws 415 for an unknown one. */
export function encodingsOf(contentEncoding: string | undefined): string[] {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  for (const encoding of encodings) {
    if (!DECODERS.has(encoding)) {
      throw new BodyError(415, `Unsupported Content-Encoding "${encoding}"; use gzip, deflate or br.`);
    }
  }
  // Applied in order, so undone in reverse.
  return encodings.reverse();
}

/**
 * Reads the body and decodes it. Rejects with a BodyError: 413 past a limit, 400 for data that is
 * not valid for its encoding, 415 for an unknown encoding; always after the body was read to its end.
 */
export function readBody(
  request: IncomingMessage,
  contentEncoding: string | undefined,
  limits: BodyLimits = INGEST_BODY_LIMITS,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let raw = 0;
    let decoded = 0;
    let failure: BodyError | undefined;
    let requestEnded = false;
    let decodingEnded = false;
    let decoders: Transform[] | undefined;
    let encodings: string[] = [];

    const settle = (): void => {
      if (!requestEnded) return;
      if (failure) reject(failure);
      else if (decodingEnded) resolve(Buffer.concat(chunks, decoded));
    };
    const fail = (error: BodyError): void => {
      if (failure) return;
      failure = error;
      chunks.length = 0;
      for (const decoder of decoders ?? []) decoder.destroy();
      settle();
    };
    const output = (chunk: Buffer): void => {
      if (failure) return;
      decoded += chunk.length;
      if (decoded > limits.maxDecodedBytes) {
        fail(new BodyError(413, `The decoded body is larger than ${limits.maxDecodedBytes} bytes.`));
      } else {
        chunks.push(chunk);
      }
    };

    try {
      encodings = encodingsOf(contentEncoding);
    } catch (error) {
      if (error instanceof BodyError) failure = error;
      else throw error;
    }

    /** Builds the decoder chain on the first chunk (raw deflate is told apart by its first bytes). */
    const chain = (first: Buffer): Transform[] => {
      const built = encodings.map((encoding, index) => {
        const factory = DECODERS.get(encoding);
        if (!factory) throw new BodyError(415, `Unsupported Content-Encoding "${encoding}".`);
        // Only the outermost decoder sees the raw bytes; inner deflate layers are zlib-wrapped.
        const decoder = factory(index === 0 ? first : Buffer.from([0x78, 0x9c]));
        decoder.on('error', () => fail(new BodyError(400, `The body is not valid ${encoding} data.`)));
        return decoder;
      });
      built.forEach((decoder, index) => {
        const next = built[index + 1];
        if (next) decoder.pipe(next);
      });
      const last = built.at(-1);
      last?.on('data', output);
      last?.on('end', () => {
        decodingEnded = true;
        settle();
      });
      return built;
    };

    request.on('data', (chunk: Buffer) => {
      raw += chunk.length;
      if (failure) return;
      if (raw > limits.maxRawBytes) {
        fail(new BodyError(413, `The body is larger than ${limits.maxRawBytes} bytes.`));
        return;
      }
      if (encodings.length === 0) {
        output(chunk);
        return;
      }
      decoders ??= chain(chunk);
      decoders[0]?.write(chunk);
    });
    request.on('end', () => {
      requestEnded = true;
      if (failure) return settle();
      if (encodings.length === 0) {
        decodingEnded = true;
        return settle();
      }
      // An empty compressed body decodes to nothing valid.
      decoders ??= chain(Buffer.alloc(0));
      decoders[0]?.end();
    });
    request.on('error', (error) => {
      requestEnded = true;
      fail(new BodyError(400, `The request body could not be read: ${error.message}`));
    });
  });
}
