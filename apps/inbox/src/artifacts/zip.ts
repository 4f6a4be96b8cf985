/**
 * A small reader of zip archives (artifact bundles), over the central directory, with the guards
 * of limits.ts: Node has no zip reader, and the one in the dependency tree (adm-zip) has no types
 * and inflates whole entries before checking their size. Stored (0) and deflated (8) entries only;
 * no ZIP64, no encryption, no spanning (neither CLI writes them). Dates are not read: the JS CLI
 * writes invalid ones.
 */

import { crc32, inflateRawSync } from 'node:zlib';
import {
  MAX_BUNDLE_ENTRIES,
  MAX_ENTRY_BYTES,
  MAX_RATIO,
  MAX_UNCOMPRESSED_BYTES,
  RATIO_FLOOR_BYTES,
} from './limits.ts';

export class ZipError extends Error {
  override readonly name = 'ZipError';
}

/** Where an entry's data is, so it can be read again later from the file on disk. */
export interface ZipEntry {
  readonly name: string;
  /** Offset of the local file header in the archive. */
  readonly offset: number;
  readonly method: 0 | 8;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
export const LOCAL_HEADER_SIZE = 30;

function findEndOfCentralDirectory(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - EOCD_SIZE - 0xffff);
  for (let at = zip.length - EOCD_SIZE; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === EOCD && at + EOCD_SIZE + zip.readUInt16LE(at + 20) === zip.length) return at;
  }
  throw new ZipError('not a zip archive (no end of central directory)');
}

/**
 * The entries of the central directory, checked against the limits by their declared sizes.
 * Throws a ZipError saying what is wrong.
 */
export function readCentralDirectory(zip: Buffer): ZipEntry[] {
  if (zip.length < EOCD_SIZE) throw new ZipError('not a zip archive (too short)');
  const end = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  const size = zip.readUInt32LE(end + 12);
  const start = zip.readUInt32LE(end + 16);
  if (zip.readUInt16LE(end + 4) !== 0 || zip.readUInt16LE(end + 8) !== count) throw new ZipError('multi-disk archives are not accepted');
  if (count === 0xffff || size === 0xffffffff || start === 0xffffffff) throw new ZipError('ZIP64 archives are not accepted');
  if (count > MAX_BUNDLE_ENTRIES) throw new ZipError(`too many entries: ${count} (at most ${MAX_BUNDLE_ENTRIES})`);
  if (start + size > end) throw new ZipError('the central directory lies outside the archive');

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let total = 0;
  let at = start;
  for (let index = 0; index < count; index++) {
    if (at + CENTRAL_SIZE > start + size || zip.readUInt32LE(at) !== CENTRAL) throw new ZipError(`central directory entry ${index} is damaged`);
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const uncompressed = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const offset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
    at += CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (at > start + size) throw new ZipError(`central directory entry ${index} is damaged`);

    if (flags & 0x1) throw new ZipError(`${name}: encrypted entries are not accepted`);
    if (method !== 0 && method !== 8) throw new ZipError(`${name}: compression method ${method} is not accepted (stored or deflated only)`);
    if (compressedSize === 0xffffffff || uncompressed === 0xffffffff || offset === 0xffffffff) throw new ZipError(`${name}: ZIP64 entries are not accepted`);
    if (names.has(name)) throw new ZipError(`${name}: the archive holds it twice`);
    names.add(name);
    if (uncompressed > MAX_ENTRY_BYTES) throw new ZipError(`${name}: declares ${uncompressed} bytes (at most ${MAX_ENTRY_BYTES} per entry)`);
    total += uncompressed;
    if (total > MAX_UNCOMPRESSED_BYTES) throw new ZipError(`the entries declare more than ${MAX_UNCOMPRESSED_BYTES} bytes in all`);
    if (method === 0 && compressedSize !== uncompressed) throw new ZipError(`${name}: a stored entry whose sizes differ`);
    if (uncompressed > RATIO_FLOOR_BYTES && uncompressed > compressedSize * MAX_RATIO) {
      throw new ZipError(`${name}: expands ${Math.round(uncompressed / Math.max(1, compressedSize))} times (at most ${MAX_RATIO})`);
    }
    if (offset + LOCAL_HEADER_SIZE + compressedSize > start) throw new ZipError(`${name}: its data lies outside the archive`);
    entries.push({ name, offset, method, compressedSize, size: uncompressed, crc });
  }
  return entries;
}

/** Where an entry's compressed data starts, given its local header (30 bytes + name + extra). */
export function dataOffset(entry: ZipEntry, localHeader: Buffer): number {
  if (localHeader.length < LOCAL_HEADER_SIZE || localHeader.readUInt32LE(0) !== LOCAL) throw new ZipError(`${entry.name}: damaged local header`);
  return entry.offset + LOCAL_HEADER_SIZE + localHeader.readUInt16LE(26) + localHeader.readUInt16LE(28);
}

/**
 * An entry's content from its compressed bytes: inflated with its declared size as the output
 * cap, then checked against the declared size and CRC.
 */
export function inflateEntry(entry: ZipEntry, compressed: Buffer): Buffer {
  if (compressed.length !== entry.compressedSize) throw new ZipError(`${entry.name}: its data is cut short`);
  let data: Buffer;
  if (entry.method === 0) {
    data = compressed;
  } else {
    try {
      // One byte past the declared size is enough to tell that it lies.
      data = inflateRawSync(compressed, { maxOutputLength: entry.size + 1 });
    } catch (error) {
      if (error instanceof RangeError) throw new ZipError(`${entry.name}: expands past its declared ${entry.size} bytes`);
      throw new ZipError(`${entry.name}: not valid deflate data`);
    }
  }
  if (data.length !== entry.size) throw new ZipError(`${entry.name}: holds ${data.length} bytes, declares ${entry.size}`);
  if (crc32(data) !== entry.crc) throw new ZipError(`${entry.name}: CRC mismatch`);
  return data;
}

/** An entry of an archive held in memory. */
export function readEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const start = dataOffset(entry, zip.subarray(entry.offset, entry.offset + LOCAL_HEADER_SIZE));
  return inflateEntry(entry, zip.subarray(start, start + entry.compressedSize));
}
