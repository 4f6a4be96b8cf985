export { Contained } from '@repo/observability/contained';

export function ErrorFallback({ what }: { what: string }) {
  return (
    <div role="alert" data-testid="error-fallback" className="error-fallback">
      {what} is unavailable right now. The rest of this page still works.
    </div>
  );
}
