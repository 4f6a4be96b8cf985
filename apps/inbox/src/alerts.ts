/**
 * Alerts: a team's webhook (`INBOX_WEBHOOK_<OWNER>`) is called when its project gets a new issue
 * or a regression (see releases.ts), with a body a Slack-style incoming webhook accepts:
 * `{ "text": "...", "blocks": [...] }`.
 *
 * Delivery never touches ingest: alerts go into a queue in memory and are sent after the event's
 * transaction committed, from a timer, so the 200 does not wait for them. A delivery that fails
 * (network error, timeout, 408, 429 or 5xx) is retried with exponential backoff
 * (`baseDelayMs` × 2^n) up to `attempts` tries, then dropped with a log line; other 4xx mean the
 * webhook refuses the message and are not retried. The queue is not durable: alerts still queued
 * when the inbox stops are lost (the events are not).
 *
 * Webhook URLs are secrets (a Slack URL is its own credential): logs show only their origin.
 */

import type { Owner } from '@repo/topology';
import { tagMap } from './event.ts';
import type { Issue, IssueChange } from './grouping.ts';
import type { Project } from './projects.ts';
import type { StoredEvent } from './store.ts';

export interface AlertOptions {
  readonly webhooks: Readonly<Partial<Record<Owner, string>>>;
  /** Tries per alert, the first included. */
  readonly attempts?: number;
  /** The wait before the first retry; doubled for each next one. */
  readonly baseDelayMs?: number;
  /** How long one try may take. */
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface AlertMessage {
  readonly text: string;
  readonly blocks: readonly unknown[];
}

interface Delivery {
  readonly owner: Owner;
  readonly url: string;
  readonly message: AlertMessage;
  attempt: number;
}

/** A webhook URL as logs may show it: its origin only. */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '<webhook>';
  }
}

/** Escapes what Slack's mrkdwn reads as markup (`<!channel>`, `<url|text>`) in event text. */
export function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function oneLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The Slack-style message for an issue that is new or regressed. */
export function alertMessage(
  project: Project,
  issue: Issue,
  change: Exclude<IssueChange, undefined>,
  record: StoredEvent,
  issueUrl: string,
): AlertMessage {
  const what = change === 'new' ? 'New issue' : 'Regression';
  const eventRelease = typeof record.event.release === 'string' ? record.event.release : undefined;
  const zone = tagMap(record.event).get('zone');
  const details = [
    `project ${project.slug}`,
    eventRelease ? `release ${eventRelease}` : undefined,
    change === 'regression' && issue.releases.length > 1
      ? `seen before in ${issue.releases.filter((r) => r !== eventRelease).join(', ')}`
      : undefined,
    zone ? `zone ${zone}` : undefined,
    `${issue.count} event${issue.count === 1 ? '' : 's'}`,
  ].filter((part): part is string => part !== undefined);
  const title = oneLine(issue.title);
  const text = `${what} in ${project.slug}: ${title} (${details.join(', ')}) ${issueUrl}`;
  return {
    text: slackEscape(text),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${what}* for team *${project.slug}*: <${issueUrl}|${slackEscape(title)}>`,
        },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: slackEscape(details.join(' · ')) }],
      },
    ],
  };
}

/** Why a delivery failed, in words that cannot carry the URL's path (its secret part). */
function errorCode(error: unknown): string {
  if (!(error instanceof Error)) return 'error';
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    if ('code' in cause && typeof cause.code === 'string') return cause.code;
    // e.g. "bad port"; anything with a slash might quote a path, so it is left out.
    if (/^[\w .:-]{1,60}$/.test(cause.message)) return cause.message;
  }
  return error.name;
}

export class AlertQueue {
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Aborts the deliveries under way when the inbox stops. */
  private readonly stopping = new AbortController();
  private closed = false;
  /** Alerts delivered, given up on, by outcome: for tests and the log. */
  readonly stats = { delivered: 0, failed: 0 };

  constructor(private readonly options: AlertOptions) {
    this.attempts = Math.max(1, options.attempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.log = options.log ?? ((line) => console.warn(line));
  }

  /** Whether the owner has a webhook. */
  has(owner: Owner): boolean {
    return this.options.webhooks[owner] !== undefined;
  }

  /** Queues an alert for the owner's webhook, if it has one; returns at once. */
  enqueue(owner: Owner, message: AlertMessage): void {
    const url = this.options.webhooks[owner];
    if (!url || this.closed) return;
    this.schedule({ owner, url, message, attempt: 0 }, 0);
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const sending = this.send(delivery).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }, delayMs);
    this.timers.add(timer);
  }

  private async send(delivery: Delivery): Promise<void> {
    delivery.attempt += 1;
    let outcome: string;
    let retry: boolean;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(delivery.message),
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      await response.body?.cancel();
      if (response.ok) {
        this.stats.delivered += 1;
        return;
      }
      outcome = `HTTP ${response.status}`;
      retry = response.status === 408 || response.status === 429 || response.status >= 500;
    } catch (error) {
      // Only a code or a name: an error's message may quote the URL.
      outcome = errorCode(error);
      retry = true;
    }
    const where = `${delivery.owner}'s webhook ${redactUrl(delivery.url)}`;
    if (retry && delivery.attempt < this.attempts && !this.closed) {
      const delay = this.baseDelayMs * 2 ** (delivery.attempt - 1);
      this.log(`inbox: alert to ${where} failed (${outcome}), try ${delivery.attempt}/${this.attempts}; retrying in ${delay} ms`);
      this.schedule(delivery, delay);
    } else {
      this.stats.failed += 1;
      this.log(`inbox: alert to ${where} failed (${outcome}) after ${delivery.attempt} tries; dropped`);
    }
  }

  /** Stops: queued alerts are dropped, deliveries under way aborted. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}
