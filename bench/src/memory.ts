/**
 * What each zone's server holds in memory: its resident set (VmRSS) once it has answered 1,000
 * requests for its `/`, and whether that grows under a steady load of several minutes. A cache
 * that keeps something per request or per visitor shows as a slope; a bounded one levels off
 * once warm.
 *
 * The process measured is the one that serves: the process of the server's group (npm → sh →
 * node → maybe a child Next forks) that holds the listening socket of the zone's port.
 *
 * RSS alone cannot tell a leak in five minutes: V8 lets its heap grow by hundreds of MiB before a
 * full collection brings it down (a saw-tooth with a period of minutes under load). What decides
 * is the heap that survives a full collection: the benchmark opens each server's inspector
 * (SIGUSR1; start the servers with NODE_OPTIONS=--inspect-port=0 so each gets a port of its own),
 * asks V8 to collect garbage, and reads `process.memoryUsage()`, once a minute.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { load } from '@repo/testkit/load';
import { table } from './stats.ts';

/** A zone's server as the benchmark started it: `pid` is its process group's leader (npm). */
export interface ZoneServer {
  readonly name: string;
  readonly origin: string;
  readonly pid: number;
}

export interface MemoryOptions {
  /** Requests sent to each zone's `/` before its RSS is read; default 1,000. */
  requests?: number;
  /** How long the steady load lasts; default 300 s. */
  loadSeconds?: number;
  /** The start of the load not judged (caches filling, code compiled); default 60 s. */
  warmUpSeconds?: number;
  /** How often each RSS is read; default every 10 s. */
  sampleSeconds?: number;
  /** Connections per zone during the steady load; default 2 (modest: three servers share 2 cores). */
  connections?: number;
  /**
   * The most the heap left after a full collection may rise, in MiB per minute (least squares
   * after the warm-up); default 1. Without an inspector, RSS's slope is judged instead.
   */
  maxSlopeMiBPerMinute?: number;
  /** How often the heap is measured after a full collection; default every 60 s. */
  heapEverySeconds?: number;
}

/** Shorter, for trying the benchmark itself: the same 1,000 requests, then a 60 s load. */
export const QUICK_MEMORY: MemoryOptions = { loadSeconds: 60, warmUpSeconds: 15, sampleSeconds: 5, heapEverySeconds: 15 };

export interface RssSample {
  /** Seconds since the steady load started. */
  readonly at: number;
  readonly mib: number;
}

export interface ZoneMemory {
  readonly zone: string;
  /** The process measured (the one listening on the zone's port). */
  readonly pid: number;
  readonly startMiB: number;
  readonly afterRequestsMiB: number;
  readonly requests: number;
  readonly samples: readonly RssSample[];
  /** RSS at the first sample after the warm-up, and at the last. */
  readonly steadyStartMiB: number;
  readonly steadyEndMiB: number;
  readonly slopeMiBPerMinute: number;
  /** Heap used (JS heap) after a full collection, once a minute; empty without an inspector. */
  readonly heapSamples: readonly RssSample[];
  readonly heapAfterRequestsMiB: number | undefined;
  readonly heapSlopeMiBPerMinute: number | undefined;
  readonly requestsUnderLoad: number;
  readonly grows: boolean;
}

export interface MemoryReport {
  readonly zones: readonly ZoneMemory[];
  readonly options: Required<MemoryOptions>;
  /** The table's header and rows (bench/src/stats.ts `table`). */
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** How the load was made and the verdict decided, for the report's text. */
  readonly method: string;
}

const DEFAULTS: Required<MemoryOptions> = {
  requests: 1_000,
  loadSeconds: 300,
  warmUpSeconds: 60,
  sampleSeconds: 10,
  connections: 2,
  maxSlopeMiBPerMinute: 1,
  heapEverySeconds: 60,
};

/** VmRSS of a `/proc/<pid>/status` text, in MiB. */
export function rssMiBOfStatus(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmRSS in the process status (a kernel thread, or a zombie)');
  return Number(match[1]) / 1024;
}

/** The listening sockets of a `/proc/net/tcp` or `tcp6` table: port and inode. */
export function listeningSockets(table: string): { port: number; inode: string }[] {
  const sockets: { port: number; inode: string }[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sl, local_address, rem_address, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode
    const [, local, , state, , , , , , inode] = fields;
    const port = local ? Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16) : Number.NaN;
    if (state === '0A' && inode && inode !== '0' && Number.isInteger(port)) sockets.push({ port, inode });
  }
  return sockets;
}

/** The socket inodes listening on `port` in a `/proc/net/tcp` or `tcp6` table. */
export function listeningInodes(table: string, port: number): string[] {
  return listeningSockets(table)
    .filter((socket) => socket.port === port)
    .map((socket) => socket.inode);
}

function allListening(): { port: number; inode: string }[] {
  return ['tcp', 'tcp6'].flatMap((table) => listeningSockets(readText(`/proc/net/${table}`) ?? ''));
}

/** The process group of a `/proc/<pid>/stat` line (after the command, which may hold spaces). */
export function groupOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // state, ppid, pgrp
  return Number(fields[2]);
}

/**
 * Least-squares slope of RSS over time, in MiB per minute: robust to the saw-tooth of garbage
 * collection, where first-vs-last would be decided by where in a cycle each sample fell.
 */
export function slopePerMinute(samples: readonly RssSample[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const meanT = samples.reduce((sum, s) => sum + s.at, 0) / n;
  const meanM = samples.reduce((sum, s) => sum + s.mib, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const s of samples) {
    numerator += (s.at - meanT) * (s.mib - meanM);
    denominator += (s.at - meanT) ** 2;
  }
  return denominator === 0 ? 0 : (numerator / denominator) * 60;
}

/** The samples judged: those taken once the warm-up is over. */
export function steadySamples(samples: readonly RssSample[], warmUpSeconds: number): RssSample[] {
  return samples.filter((s) => s.at >= warmUpSeconds);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // a process that ended, or a table this kernel lacks (no IPv6)
  }
}

function processesOfGroup(group: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    if (stat && groupOfStat(stat) === group) pids.push(Number(entry));
  }
  return pids;
}

function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

/** The process of `group` that listens on `origin`'s port: the one whose memory is the server's. */
export function servingProcess(group: number, origin: string): number {
  const port = Number(new URL(origin).port);
  const listening = new Set(allListening().filter((socket) => socket.port === port).map((socket) => socket.inode));
  const serving = processesOfGroup(group).filter((pid) => [...socketInodesOf(pid)].some((inode) => listening.has(inode)));
  if (serving.length === 0) throw new Error(`no process of group ${group} listens on port ${port}`);
  // A forked server may leave its parent holding the socket too: the newest process serves.
  return Math.max(...serving);
}

export function rssMiB(pid: number): number {
  const status = readText(`/proc/${pid}/status`);
  if (status === undefined) throw new Error(`process ${pid} is gone`);
  return rssMiBOfStatus(status);
}

/** The ports `pid` listens on. */
function listeningPortsOf(pid: number): number[] {
  const own = socketInodesOf(pid);
  return allListening()
    .filter((socket) => own.has(socket.inode))
    .map((socket) => socket.port);
}

/**
 * Opens the inspector of `pid` (SIGUSR1, which a Node process answers by listening for a
 * debugger on its --inspect-port) and returns the port it listens on, or undefined if none
 * appears within 5 s (e.g. the default port 9229 was taken by another server's). A server that
 * already listens on a port besides `servingPort` has its inspector open there.
 */
export async function openInspector(pid: number, servingPort: number): Promise<number | undefined> {
  const before = new Set(listeningPortsOf(pid));
  const open = [...before].find((port) => port !== servingPort);
  if (open !== undefined) return open;
  process.kill(pid, 'SIGUSR1');
  const until = performance.now() + 5_000;
  while (performance.now() < until) {
    const opened = listeningPortsOf(pid).find((port) => port !== servingPort && !before.has(port));
    if (opened) return opened;
    await sleep(50);
  }
  return undefined;
}

/** A client WebSocket text frame (masked, as RFC 6455 wants of a client). */
export function encodeFrame(text: string, mask: Buffer = randomBytes(4)): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x81, 0x80 | length]) : Buffer.alloc(length < 65_536 ? 4 : 10);
  if (length >= 126 && length < 65_536) {
    header[0] = 0x81;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else if (length >= 65_536) {
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, masked]);
}

/** The complete frames at the start of `buffer` (text payloads, unmasked), and what is left. */
export function decodeFrames(buffer: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let offset = 0;
  let fragments: Buffer[] = [];
  for (;;) {
    if (buffer.length - offset < 2) break;
    const first = buffer[offset] as number;
    const second = buffer[offset + 1] as number;
    let length = second & 0x7f;
    let at = offset + 2;
    if (length === 126) {
      if (buffer.length < at + 2) break;
      length = buffer.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      if (buffer.length < at + 8) break;
      length = Number(buffer.readBigUInt64BE(at));
      at += 8;
    }
    const mask = second & 0x80 ? buffer.subarray(at, at + 4) : undefined;
    if (mask) at += 4;
    if (buffer.length < at + length) break;
    let payload = buffer.subarray(at, at + length);
    if (mask) payload = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
    offset = at + length;
    const opcode = first & 0x0f;
    if (opcode === 0x1 || opcode === 0x0) fragments.push(payload);
    if ((opcode === 0x1 || opcode === 0x0) && first & 0x80) {
      messages.push(Buffer.concat(fragments).toString());
      fragments = [];
    }
  }
  return { messages, rest: buffer.subarray(offset) };
}

/**
 * Asks the inspector at `port` for a full garbage collection, then for `process.memoryUsage()`:
 * the JS heap that survives, in MiB. Over the Chrome DevTools Protocol, on a WebSocket of our own
 * (Node 20 has no WebSocket client, and the bench adds no dependency for two messages).
 */
export async function heapAfterCollection(port: number): Promise<number> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = new URL(targets[0]?.webSocketDebuggerUrl ?? '');
  const socket = connect(Number(url.port), url.hostname);
  try {
    socket.write(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let buffer: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let onUpgrade = (): void => {};
    // Node's inspector drops what arrives with the upgrade request: frames wait for its answer.
    const upgrade = new Promise<void>((resolve) => (onUpgrade = resolve));
    interface Answer {
      id?: number;
      result?: { result?: { value?: unknown } };
    }
    const answers = new Map<number, (message: Answer) => void>();
    const failed = new Promise<never>((_, reject) => {
      socket.once('error', reject);
      socket.once('close', () => reject(new Error(`the inspector at ${port} closed the connection`)));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buffer.subarray(0, end).toString().startsWith('HTTP/1.1 101')) socket.destroy(new Error('the inspector refused the WebSocket'));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        onUpgrade();
      }
      const { messages, rest } = decodeFrames(buffer);
      buffer = rest;
      for (const text of messages) {
        const message = JSON.parse(text) as Answer;
        if (message.id !== undefined) answers.get(message.id)?.(message);
      }
    });
    await Promise.race([upgrade, failed]);
    let id = 0;
    const send = (method: string, params: object = {}) => {
      const asked = ++id;
      const answered = new Promise<Answer>((resolve) => answers.set(asked, resolve));
      socket.write(encodeFrame(JSON.stringify({ id: asked, method, params })));
      return Promise.race([answered, failed, sleep(30_000, undefined, { ref: false }).then(() => Promise.reject(new Error(`${method}: no answer in 30 s`)))]);
    };
    await send('HeapProfiler.collectGarbage');
    const usage = await send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    const value = usage.result?.result?.value;
    if (typeof value !== 'string') throw new Error('the inspector gave no memory usage');
    return (JSON.parse(value) as { heapUsed: number }).heapUsed / 2 ** 20;
  } finally {
    socket.destroy();
  }
}

const mib = (value: number) => `${value.toFixed(0)} MiB`;

export async function measureMemory(servers: readonly ZoneServer[], options: MemoryOptions = {}): Promise<MemoryReport> {
  const settings: Required<MemoryOptions> = { ...DEFAULTS, ...options };
  const measured = servers.map((server) => ({ server, pid: servingProcess(server.pid, server.origin) }));

  // 1,000 requests to each zone's `/`, one zone at a time, RSS read before and after.
  const firsts: { startMiB: number; afterRequestsMiB: number }[] = [];
  for (const { server, pid } of measured) {
    const startMiB = rssMiB(pid);
    const result = await load({ url: `${server.origin}/`, connections: 10, amount: settings.requests });
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${server.origin}/: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
    }
    firsts.push({ startMiB, afterRequestsMiB: rssMiB(pid) });
  }
  // Each server's inspector, and its heap after a full collection once it has answered them.
  const inspectors: (number | undefined)[] = [];
  for (const { server, pid } of measured) inspectors.push(await openInspector(pid, Number(new URL(server.origin).port)));
  const heapOf = async (i: number): Promise<number | undefined> => {
    const port = inspectors[i];
    return port === undefined ? undefined : heapAfterCollection(port);
  };
  const heapAfterRequests = await Promise.all(measured.map((_, i) => heapOf(i)));

  // Then every zone under load at once: RSS sampled often, the heap after a collection now and then.
  const samples = measured.map((): RssSample[] => []);
  const heaps = measured.map((): RssSample[] => []);
  const started = performance.now();
  const since = () => (performance.now() - started) / 1000;
  const sampleAll = () => {
    const at = since();
    measured.forEach(({ pid }, i) => samples[i]?.push({ at, mib: rssMiB(pid) }));
  };
  const heapAll = async () => {
    for (const [i] of measured.entries()) {
      const at = since();
      const heap = await heapOf(i);
      if (heap !== undefined) heaps[i]?.push({ at, mib: heap });
    }
  };
  let loading = true;
  const loads = Promise.all(
    measured.map(({ server }) => load({ url: `${server.origin}/`, connections: settings.connections, seconds: settings.loadSeconds })),
  ).finally(() => (loading = false));
  const ended = loads.then(
    () => undefined,
    () => undefined,
  );
  const sampler = (async () => {
    sampleAll();
    while (loading) {
      await Promise.race([sleep(settings.sampleSeconds * 1000), ended]);
      sampleAll();
    }
  })();
  const heapSampler = (async () => {
    for (let next = settings.heapEverySeconds; next < settings.loadSeconds; next += settings.heapEverySeconds) {
      await Promise.race([sleep(Math.max(0, next - since()) * 1000), ended]);
      if (!loading) break;
      await heapAll();
    }
    await ended;
    // The last, at the end of the load (the servers idle from then on).
    await heapAll();
  })();
  const [results] = await Promise.all([loads, sampler, heapSampler]);

  const zones = measured.map(({ server, pid }, i): ZoneMemory => {
    const all = samples[i] ?? [];
    const steady = steadySamples(all, settings.warmUpSeconds);
    const slope = slopePerMinute(steady);
    const heapSteady = steadySamples(heaps[i] ?? [], settings.warmUpSeconds);
    const heapSlope = heapSteady.length >= 2 ? slopePerMinute(heapSteady) : undefined;
    const result = results[i];
    if (result && (result.non2xx > 0 || result.errors > 0)) {
      throw new Error(`${server.origin}/ under load: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
    }
    return {
      zone: server.name,
      pid,
      startMiB: firsts[i]?.startMiB ?? 0,
      afterRequestsMiB: firsts[i]?.afterRequestsMiB ?? 0,
      requests: settings.requests,
      samples: all,
      steadyStartMiB: steady[0]?.mib ?? 0,
      steadyEndMiB: steady.at(-1)?.mib ?? 0,
      slopeMiBPerMinute: slope,
      heapSamples: heaps[i] ?? [],
      heapAfterRequestsMiB: heapAfterRequests[i],
      heapSlopeMiBPerMinute: heapSlope,
      requestsUnderLoad: result?.requests ?? 0,
      grows: (heapSlope ?? slope) > settings.maxSlopeMiBPerMinute,
    };
  });

  const judged = settings.loadSeconds - settings.warmUpSeconds;
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)} MiB/min`;
  return {
    zones,
    options: settings,
    header: [
      'zone',
      'RSS at start',
      `RSS after ${settings.requests.toLocaleString('en')} requests`,
      'heap after a full GC, then',
      `steady load: RSS at ${settings.warmUpSeconds} s → ${settings.loadSeconds} s (slope)`,
      `heap after a full GC, ${settings.warmUpSeconds} s → end (slope)`,
      'requests under load',
      'grows?',
    ],
    rows: zones.map((z) => {
      const heapSteady = steadySamples(z.heapSamples, settings.warmUpSeconds);
      return [
        `${z.zone} \`/\``,
        mib(z.startMiB),
        mib(z.afterRequestsMiB),
        z.heapAfterRequestsMiB === undefined ? 'n/a' : mib(z.heapAfterRequestsMiB),
        `${mib(z.steadyStartMiB)} → ${mib(z.steadyEndMiB)} (${signed(z.slopeMiBPerMinute)})`,
        z.heapSlopeMiBPerMinute === undefined
          ? 'n/a (no inspector)'
          : `${mib(heapSteady[0]?.mib ?? 0)} → ${mib(heapSteady.at(-1)?.mib ?? 0)} (${signed(z.heapSlopeMiBPerMinute)})`,
        z.requestsUnderLoad.toLocaleString('en'),
        z.grows ? '**yes**' : 'no',
      ];
    }),
    method:
      `Resident set (VmRSS) of the process listening on each zone's port, and its JS heap left after a full garbage collection ` +
      `(the server's inspector: HeapProfiler.collectGarbage, then process.memoryUsage()). First ${settings.requests.toLocaleString('en')} requests to each zone's \`/\` ` +
      `(10 connections, one zone at a time), then all zones under load at once for ${settings.loadSeconds} s ` +
      `(${settings.connections} connections each, autocannon), RSS read every ${settings.sampleSeconds} s, the heap after a collection every ${settings.heapEverySeconds} s and at the end. ` +
      `The first ${settings.warmUpSeconds} s are warm-up; over the last ${judged} s a zone "grows" if the least-squares slope ` +
      `of its heap after collection exceeds ${settings.maxSlopeMiBPerMinute} MiB/min (of its RSS where no inspector answered). ` +
      `RSS alone swings by hundreds of MiB between V8's full collections under load, so its slope over minutes is reported, not judged.`,
  };
}

/** The benchmark's section: how it was measured, then the table. */
export function memorySection(report: MemoryReport): string {
  return `${report.method}\n\n${table(report.header, report.rows)}`;
}
