import type { Page } from '@playwright/test';
import { eventById, newRun, type InboxEvent } from '@repo/testkit/inbox';
import { INBOX_PROJECTS, topology } from '@repo/topology';
import { expect, test } from '../fixtures';

/**
 * Event text is attacker-controlled: whatever an event carries, the inbox's pages show it as
 * text and run none of it. Posts events whose message, exception, tags, breadcrumbs and URL are
 * markup and script to the inbox this suite runs, opens the team view (and lets an event arrive
 * live through its event stream), the issue page and the event page in Chromium, and checks that
 * the markup shows literally, that `window.__xss` stays undefined, that no dialog opened and that
 * the Content-Security-Policy had nothing to block.
 */

const SCRIPT = '<script>window.__xss = 1</script>';
const IMG = '<img src=x onerror="window.__xss = 2; alert(2)">';
const SVG = '"><svg onload="window.__xss = 3">';

interface Watch {
  dialogs: string[];
  violations(): Promise<string[]>;
  xss(): Promise<unknown>;
}

async function watch(page: Page): Promise<Watch> {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // Injected by the browser's devtools, so the page's CSP does not apply to it.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective}: ${e.blockedURI}`));
  });
  return {
    dialogs,
    violations: () => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations),
    xss: () => page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss),
  };
}

async function postEvent(run: string, label: string): Promise<string> {
  const eventId = crypto.randomUUID().replaceAll('-', '');
  const event = {
    event_id: eventId,
    platform: 'javascript',
    level: 'error',
    release: `shop@${IMG}`,
    fingerprint: [run],
    message: `${label} ${SCRIPT}`,
    exception: {
      values: [
        {
          type: 'Error',
          value: `${label} ${IMG}`,
          stacktrace: { frames: [{ filename: `app:///${SVG}.js`, function: `handler${SCRIPT}`, lineno: 1, colno: 2, in_app: true }] },
        },
      ],
    },
    tags: { owner: 'shop', zone: IMG, run, note: SCRIPT },
    breadcrumbs: { values: [{ category: 'ui.click', message: SVG, data: { html: SCRIPT } }] },
    request: { url: `http://localhost/${SVG}` },
  };
  const { id, publicKey } = INBOX_PROJECTS.shop;
  const response = await fetch(`${topology.inbox.origin}/api/${id}/envelope/?sentry_key=${publicKey}`, {
    method: 'POST',
    body: `{}\n{"type":"event"}\n${JSON.stringify(event)}`,
  });
  expect(response.status).toBe(200);
  return eventId;
}

test('the inbox shows hostile event text literally and runs none of it', async ({ page, problems }) => {
  const run = newRun('inbox-xss');
  const guard = await watch(page);
  const firstId = await postEvent(run, 'first');
  // The inbox answers an envelope once its events are stored: the event is there to read.
  const stored: InboxEvent & { groupID?: string } = await eventById(topology.inbox.origin, 'shop', firstId);
  const groupId = stored.groupID;
  if (!groupId) throw new Error(`event ${firstId} has no groupID`);

  // The team view, then an event arriving live through its stream.
  await page.goto(`${topology.inbox.origin}/teams/shop`);
  const team = page.locator('section#shop');
  await expect(team.locator('[data-live-status]')).toHaveAttribute('data-state', 'live');
  const issueRow = team.locator(`tr[data-issue-id="${groupId}"]`);
  await expect(issueRow).toContainText(`Error: first ${IMG}`);
  await expect(team.locator(`tr[data-event-id="${firstId}"]`)).toContainText(`zone:${IMG}`);
  const liveId = await postEvent(run, 'live');
  const liveRow = team.locator(`tr[data-event-id="${liveId}"]`);
  await expect(liveRow).toContainText(`Error: live ${IMG}`);
  await expect(liveRow).toContainText(`zone:${IMG}`);
  await expect(issueRow.locator('td.num')).toHaveText('2');
  await expect(issueRow).toContainText(`shop@${IMG}`);
  expect(await guard.xss()).toBeUndefined();

  // The issue page: latest event's stack trace, breadcrumbs, tags and request URL.
  await issueRow.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/issues/shop/${groupId}/$`));
  await expect(page.locator('h1')).toHaveText(`Error: live ${IMG}`);
  await expect(page.locator('[data-stacktrace]')).toContainText(`handler${SCRIPT}`);
  await expect(page.locator('[data-stacktrace]')).toContainText(`app:///${SVG}.js:1:2`);
  await expect(page.locator('table[data-breadcrumbs]')).toContainText(SVG);
  await expect(page.locator('table[data-tags]')).toContainText(SCRIPT);
  await expect(page.locator('table[data-latest-event] [data-request-url]')).toHaveText(`http://localhost/${SVG}`);
  expect(await guard.xss()).toBeUndefined();

  // The event page.
  await page.goto(`${topology.inbox.origin}/events/shop/${firstId}`);
  await expect(page.locator('h1')).toHaveText(`Error: first ${IMG}`);
  await expect(page.locator('pre')).toContainText(SCRIPT);
  expect(await guard.xss()).toBeUndefined();

  expect(guard.dialogs).toEqual([]);
  expect(await guard.violations()).toEqual([]);
  expect(problems.pageErrors).toEqual([]);
  expect(await page.locator('img, svg').count()).toBe(0);
});
