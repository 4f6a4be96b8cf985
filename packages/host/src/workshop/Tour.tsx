import { currentZone, topology } from '@repo/topology';
import { stepStatuses, tourSteps, type StepDone, type StepStatus, type TourStep } from './tour';
import { restartTour, useWorkshop } from './Workshop';

const BADGE: Record<StepStatus, string> = { done: 'Done', next: 'Next', todo: 'To do' };

function Proof({ done }: { done: StepDone }) {
  return (
    <p className="tour-step__proof">
      <span aria-hidden="true">✓ </span>
      {done.detail}
      {done.url && (
        <>
          {' · '}
          <a href={done.url} target="_blank" rel="noreferrer">
            the event
          </a>
        </>
      )}
    </p>
  );
}

function Step({ step, index, status, done }: { step: TourStep; index: number; status: StepStatus; done?: StepDone }) {
  const inboxTeam = step.id === 'rollback' ? `${topology.inbox.origin}/teams/shop` : undefined;
  return (
    <li className="tour-step" data-testid="tour-step" data-step={step.id} data-status={status} aria-current={status === 'next' ? 'step' : undefined}>
      <h3 className="tour-step__title">
        <span className="tour-step__number">{index + 1}</span>
        {step.title}
        <span className="tour-step__badge">{BADGE[status]}</span>
      </h3>
      <dl className="tour-step__body">
        <dt>Do</dt>
        <dd>
          {step.act}
          {step.href && (
            <>
              {' '}
              {/* A full page load, never a client navigation: a server scenario must run on the server, and each step is one page view. */}
              <a className="tour-step__go" href={step.href}>
                Open {step.href}
              </a>
            </>
          )}
          {inboxTeam && (
            <>
              {' '}
              <a className="tour-step__go" href={inboxTeam} target="_blank" rel="noreferrer">
                Shop&apos;s team page in the inbox
              </a>
            </>
          )}
          {step.command && (
            <pre className="tour-step__command">
              <code>{step.command}</code>
            </pre>
          )}
        </dd>
        <dt>See</dt>
        <dd>{step.see}</dd>
        <dt>Why</dt>
        <dd>{step.why}</dd>
      </dl>
      {done && <Proof done={done} />}
    </li>
  );
}

/**
 * The guided tour on /lab: a numbered path through the scenarios, ending with the outage, the
 * broken release and the rollback. Each step turns green by itself when what it promises
 * happened: its event reached the expected team in that step's page view (the panel's
 * subscription), or, for the release steps, the release this page rendered.
 */
export function Tour() {
  const { progress } = useWorkshop();
  const steps = tourSteps(currentZone());
  const statuses = stepStatuses(steps, progress);
  const doneCount = statuses.filter((status) => status === 'done').length;
  return (
    <section className="tour" data-testid="tour" aria-labelledby="tour-title">
      <h2 id="tour-title" className="tour__title">
        The tour: break it, and see who gets told
      </h2>
      <p className="tour__progress">
        <span data-testid="tour-progress">
          {doneCount} of {steps.length} steps done.
        </span>{' '}
        Each step checks itself: it turns green when its event reaches the team it belongs to, as the panel shows.{' '}
        <button type="button" className="tour__restart" onClick={restartTour}>
          Start again
        </button>
      </p>
      <ol className="tour__steps">
        {steps.map((step, index) => (
          <Step key={step.id} step={step} index={index} status={statuses[index] ?? 'todo'} done={progress[step.id]} />
        ))}
      </ol>
    </section>
  );
}
