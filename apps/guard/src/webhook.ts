/**
 * Telling the owner: a rollback is POSTed to the owner's webhook (`INBOX_WEBHOOK_<OWNER>`, the
 * one the inbox alerts go to) as a Slack-style incoming-webhook body, `{ text, blocks }`, plus a
 * `guard` object with the figures that decided it, for a receiver that reads more than Slack.
 *
 * A network error, a timeout, 408, 429 or 5xx is tried again after 0.25 s, 0.5 s, 1 s (four tries
 * in all); any other answer is final. The registry has already moved when this runs: a webhook
 * that cannot be told never holds the rollback back.
 *
 * A webhook URL is a credential (a Slack URL is its own secret): logs show its origin only.
 */
import type { Owner } from '@repo/topology';

export interface WebhookBody {
  readonly text: string;
  readonly blocks: readonly unknown[];
  readonly guard: Readonly<Record<string, number | string>>;
}

export interface Rollback {
  readonly remote: string;
  readonly owner: Owner;
  /** `shop@1.1.0` */
  readonly canary: string;
  readonly percent: number;
  readonly live: string | null;
  readonly reason: string;
  readonly figures: Readonly<Record<string, number | string>>;
}

/** The message for a rollback. Release names are versions checked by the registry: no markup to escape. */
export function rollbackMessage(rollback: Rollback): WebhookBody {
  const headline = `Release guard rolled back ${rollback.canary} (canary at ${rollback.percent} %) for team ${rollback.owner}`;
  const back = rollback.live ? `every visitor is on ${rollback.live} again` : 'the canary has ended';
  return {
    text: `${headline}: ${rollback.reason}; ${back}.`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*Release guard* rolled back *${rollback.canary}* for team *${rollback.owner}*: ${back}.` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: rollback.reason }] },
    ],
    guard: { decision: 'rollback', remote: rollback.remote, owner: rollback.owner, reason: rollback.reason, ...rollback.figures },
  };
}

/** How a webhook URL may be shown: its origin. */
export function webhookOrigin(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(a webhook)';
  }
}

export interface DeliveryOptions {
  /** Tries in all; default 4. */
  readonly attempts?: number;
  /** The wait before the first retry, doubled for each next one; default 250 ms. */
  readonly baseDelayMs?: number;
  readonly timeoutMs?: number;
  /** Aborts the delivery (the guard is stopping). */
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
}

/** Why a try failed, in words that cannot quote the URL. */
function failure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'error';
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** POSTs `body` to `url`, retrying what may pass; true once delivered. */
export async function deliver(url: string, owner: Owner, body: WebhookBody, options: DeliveryOptions): Promise<boolean> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const where = `${owner}'s webhook ${webhookOrigin(url)}`;
  for (let attempt = 1; ; attempt++) {
    let outcome: string;
    let retry: boolean;
    try {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 5_000);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
      await response.body?.cancel();
      if (response.ok) {
        options.log(`guard: told ${where} (HTTP ${response.status})`);
        return true;
      }
      outcome = `HTTP ${response.status}`;
      retry = response.status === 408 || response.status === 429 || response.status >= 500;
    } catch (error) {
      outcome = failure(error);
      retry = true;
    }
    if (!retry || attempt >= attempts || options.signal?.aborted) {
      options.log(`guard: could not tell ${where} (${outcome}, ${attempt} ${attempt === 1 ? 'try' : 'tries'}); the rollback stands`);
      return false;
    }
    const delay = (options.baseDelayMs ?? 250) * 2 ** (attempt - 1);
    options.log(`guard: ${where} failed (${outcome}), try ${attempt}/${attempts}; again in ${delay} ms`);
    await pause(delay, options.signal);
  }
}
