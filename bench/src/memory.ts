/**
 * What each zone's server holds in memory: its resident set (VmRSS) once it has answered 1,000
 * requests for its `/`, and whether that grows under a steady load of several minutes. A cache
 * that keeps something per request or per visitor shows as a slope; a bounded one levels off
 * once warm.
 *
 * The process measured is the one that serves: the process of the server's group (npm → sh →
 * node → maybe a child Next forks) that holds the listening socket of the zone's port.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { load } from '@repo/testkit/load';

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
  /** The most a steady RSS may rise, in MiB per minute (least squares after the warm-up); default 1. */
  maxSlopeMiBPerMinute?: number;
}

/** Shorter, for trying the benchmark itself: the same 1,000 requests, then a 60 s load. */
export const QUICK_MEMORY: MemoryOptions = { loadSeconds: 60, warmUpSeconds: 15, sampleSeconds: 5 };

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
};

/** VmRSS of a `/proc/<pid>/status` text, in MiB. */
export function rssMiBOfStatus(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmRSS in the process status (a kernel thread, or a zombie)');
  return Number(match[1]) / 1024;
}

/** The socket inodes listening on `port` in a `/proc/net/tcp` or `tcp6` table. */
export function listeningInodes(table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sl, local_address, rem_address, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode
    const [, local, , state, , , , , , inode] = fields;
    if (local?.endsWith(`:${hexPort}`) && state === '0A' && inode && inode !== '0') inodes.push(inode);
  }
  return inodes;
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
  const listening = new Set(['tcp', 'tcp6'].flatMap((table) => listeningInodes(readText(`/proc/net/${table}`) ?? '', port)));
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

  // Then every zone under load at once, each RSS sampled at a fixed interval.
  const samples = measured.map((): RssSample[] => []);
  const started = performance.now();
  const sampleAll = () => {
    const at = (performance.now() - started) / 1000;
    measured.forEach(({ pid }, i) => samples[i]?.push({ at, mib: rssMiB(pid) }));
  };
  let loading = true;
  const loads = Promise.all(
    measured.map(({ server }) => load({ url: `${server.origin}/`, connections: settings.connections, seconds: settings.loadSeconds })),
  ).finally(() => (loading = false));
  const sampler = (async () => {
    sampleAll();
    while (loading) {
      await Promise.race([sleep(settings.sampleSeconds * 1000), loads.catch(() => undefined)]);
      sampleAll();
    }
  })();
  const [results] = await Promise.all([loads, sampler]);

  const zones = measured.map(({ server, pid }, i): ZoneMemory => {
    const all = samples[i] ?? [];
    const steady = steadySamples(all, settings.warmUpSeconds);
    const slope = slopePerMinute(steady);
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
      requestsUnderLoad: result?.requests ?? 0,
      grows: slope > settings.maxSlopeMiBPerMinute,
    };
  });

  const judged = settings.loadSeconds - settings.warmUpSeconds;
  return {
    zones,
    options: settings,
    header: [
      'zone',
      'RSS at start',
      `RSS after ${settings.requests.toLocaleString('en')} requests`,
      `steady load: RSS at ${settings.warmUpSeconds} s → ${settings.loadSeconds} s`,
      'slope',
      'requests under load',
      'grows?',
    ],
    rows: zones.map((z) => [
      `${z.zone} \`/\``,
      mib(z.startMiB),
      mib(z.afterRequestsMiB),
      `${mib(z.steadyStartMiB)} → ${mib(z.steadyEndMiB)}`,
      `${z.slopeMiBPerMinute >= 0 ? '+' : ''}${z.slopeMiBPerMinute.toFixed(2)} MiB/min`,
      z.requestsUnderLoad.toLocaleString('en'),
      z.grows ? '**yes**' : 'no',
    ]),
    method:
      `Resident set (VmRSS) of the process listening on each zone's port. First ${settings.requests.toLocaleString('en')} requests to each zone's \`/\` ` +
      `(10 connections, one zone at a time), then all zones under load at once for ${settings.loadSeconds} s ` +
      `(${settings.connections} connections each, autocannon), RSS read every ${settings.sampleSeconds} s. ` +
      `The first ${settings.warmUpSeconds} s are warm-up; over the last ${judged} s a zone "grows" if the least-squares slope ` +
      `of its RSS exceeds ${settings.maxSlopeMiBPerMinute} MiB/min.`,
  };
}
