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

interface Decoding {
  readonly encoding: string;
  readonly decoder: DecoderFactory;
}

/** The decoders of a `Content-Encoding` header in the order to apply them; throws 415 for an unknown encoding. */
function decodingsOf(contentEncoding: string | undefined): Decoding[] {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  const decodings = encodings.map((encoding) => {
    const decoder = DECODERS.get(encoding);
    if (!decoder) throw new BodyError(415, `Unsupported Content-Encoding "${encoding}"; use gzip, deflate or br.`);
    return { encoding, decoder };
  });
  // Applied in order, so undone in reverse.
  return decodings.reverse();
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
    new BodyReader(request, contentEncoding, limits, { resolve, reject });
  });
}

interface Settle {
  readonly resolve: (body: Buffer) => void;
  readonly reject: (error: BodyError) => void;
}

/** One body being read: the bytes in, through the decoders, into chunks, within the limits. */
class BodyReader {
  private readonly chunks: Buffer[] = [];
  private raw = 0;
  private decoded = 0;
  private failure: BodyError | undefined;
  private requestEnded = false;
  private decodingEnded = false;
  private decoders: Transform[] | undefined;
  private readonly decodings: Decoding[] = [];

  constructor(
    request: IncomingMessage,
    contentEncoding: string | undefined,
    private readonly limits: BodyLimits,
    private readonly settled: Settle,
  ) {
    try {
      this.decodings = decodingsOf(contentEncoding);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      this.failure = error;
    }
    request.on('data', (chunk: Buffer) => this.received(chunk));
    request.on('end', () => this.requestEnd());
    request.on('error', (error) => {
      this.requestEnded = true;
      this.fail(new BodyError(400, `The request body could not be read: ${error.message}`));
    });
  }

  /** Answers once the request has ended (so the client can read the answer) and decoding is done. */
  private settle(): void {
    if (!this.requestEnded) return;
    if (this.failure) this.settled.reject(this.failure);
    else if (this.decodingEnded) this.settled.resolve(Buffer.concat(this.chunks, this.decoded));
  }

  /** Stops decoding and keeps nothing; the rest of the body is still read, and dropped. */
  private fail(error: BodyError): void {
    if (this.failure) return;
    this.failure = error;
    this.chunks.length = 0;
    for (const decoder of this.decoders ?? []) decoder.destroy();
    this.settle();
  }

  private output(chunk: Buffer): void {
    if (this.failure) return;
    this.decoded += chunk.length;
    if (this.decoded > this.limits.maxDecodedBytes) {
      this.fail(new BodyError(413, `The decoded body is larger than ${this.limits.maxDecodedBytes} bytes.`));
    } else {
      this.chunks.push(chunk);
    }
  }

  /** Builds the decoder chain on the first chunk (raw deflate is told apart by its first bytes). */
  private chain(first: Buffer): Transform[] {
    const built = this.decodings.map(({ encoding, decoder: factory }, index) => {
      // Only the outermost decoder sees the raw bytes; inner deflate layers are zlib-wrapped.
      const decoder = factory(index === 0 ? first : Buffer.from([0x78, 0x9c]));
      decoder.on('error', () => this.fail(new BodyError(400, `The body is not valid ${encoding} data.`)));
      return decoder;
    });
    built.forEach((decoder, index) => {
      const next = built[index + 1];
      if (next) decoder.pipe(next);
    });
    const last = built.at(-1);
    last?.on('data', (chunk: Buffer) => this.output(chunk));
    last?.on('end', () => {
      this.decodingEnded = true;
      this.settle();
    });
    return built;
  }

  private received(chunk: Buffer): void {
    this.raw += chunk.length;
    if (this.failure) return;
    if (this.raw > this.limits.maxRawBytes) {
      this.fail(new BodyError(413, `The body is larger than ${this.limits.maxRawBytes} bytes.`));
      return;
    }
    if (this.decodings.length === 0) {
      this.output(chunk);
      return;
    }
    this.decoders ??= this.chain(chunk);
    this.decoders[0]?.write(chunk);
  }

  private requestEnd(): void {
    this.requestEnded = true;
    if (this.failure) return this.settle();
    if (this.decodings.length === 0) {
      this.decodingEnded = true;
      return this.settle();
    }
    // An empty compressed body decodes to nothing valid.
    this.decoders ??= this.chain(Buffer.alloc(0));
    this.decoders[0]?.end();
  }
}
