import { topology } from '@repo/topology';
import { tracePageUrl, toldStatus, type ToldEntry, type ToldState } from './told';
import { useWorkshop } from './Workshop';

function statusText(state: ToldState, inbox: string): string {
  const count = state.entries.length;
  switch (toldStatus(state)) {
    case 'no-trace':
      return 'This page view has no trace id (is Sentry off?), so its events cannot be picked out.';
    case 'connecting':
      return `Connecting to the inbox at ${inbox}…`;
    case 'unreachable':
      return `The inbox at ${inbox} is not reachable: who got told cannot be shown${count > 0 ? ' beyond what arrived before' : ''}. Is it running?`;
    case 'listening':
      if (count === 0) return 'Listening: nothing reported for this page view yet.';
      return `Listening: ${count} ${count === 1 ? 'event' : 'events'} of this page view reached ${count === 1 ? 'its team' : 'their teams'}.`;
  }
}

function Told({ entry }: { entry: ToldEntry }) {
  return (
    <li className="told" data-testid="told" data-project={entry.project} data-runtime={entry.runtime}>
      <p className="told__who">
        <span className="told__team">{entry.project}</span>
        <span className="told__runtime">{entry.runtime}</span>
        {entry.release && <span className="told__release">{entry.release}</span>}
      </p>
      <p className="told__title">{entry.title}</p>
      <p className="told__frame">
        {entry.frame === undefined ? (
          <span className="told__pending">reading the frame…</span>
        ) : entry.frame === null ? (
          <span className="told__pending">no stack frame</span>
        ) : (
          <code>{entry.frame}</code>
        )}
      </p>
      <a className="told__link" href={entry.url} target="_blank" rel="noreferrer">
        Event <code>{entry.eventId.slice(0, 8)}</code> in {entry.project}&apos;s project
      </a>
    </li>
  );
}

/**
 * The "who got told" panel: each event this page view caused, in the project that received it,
 * live from the inbox. Always says where it stands, so an empty list is never a silent wait.
 */
export function WhoGotIt() {
  const { told } = useWorkshop();
  const inbox = topology.inbox.origin;
  return (
    <aside className="who-got-it" data-testid="who-got-it" data-status={toldStatus(told)} aria-labelledby="who-got-it-title">
      <h2 id="who-got-it-title" className="who-got-it__title">
        Who got told
      </h2>
      <p className="who-got-it__status" role="status">
        {statusText(told, inbox)}
      </p>
      {told.entries.length > 0 && (
        <ol className="who-got-it__list">
          {told.entries.map((entry) => (
            <Told key={`${entry.project}/${entry.eventId}`} entry={entry} />
          ))}
        </ol>
      )}
      {told.traceId && (
        <p className="who-got-it__trace">
          This page view is trace{' '}
          <a href={tracePageUrl(inbox, told.traceId)} target="_blank" rel="noreferrer">
            <code>{told.traceId.slice(0, 8)}</code>
          </a>{' '}
          in the inbox.
        </p>
      )}
    </aside>
  );
}
