export { Contained } from '@repo/observability/contained';

/**
 * What the page shows where a component failed: it keeps the component's box (a min-height, see
 * store.css) so the rest of the page does not move, and says the rest still works.
 */
export function ErrorFallback({ what }: { what: string }) {
  return (
    <div role="alert" data-testid="error-fallback" data-fallback className="error-fallback">
      <p className="error-fallback__title">{what} is unavailable right now.</p>
      <p className="error-fallback__text">The rest of this page still works.</p>
    </div>
  );
}
