import { Component, Suspense, type ErrorInfo, type ReactNode } from 'react';

interface ContainedProps {
  /** Shown instead of `children` when they fail, on the server or in the browser. */
  fallback: ReactNode;
  children: ReactNode;
  onError?: (error: unknown, info: ErrorInfo) => void;
}

interface BoundaryState {
  failed: boolean;
}

class ErrorBoundary extends Component<ContainedProps, BoundaryState> {
  override state: BoundaryState = { failed: false };

  static getDerivedStateFromError(): BoundaryState {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    this.props.onError?.(error, info);
  }

  override render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

/**
 * Keeps a failing part of the page from taking the page down.
 *
 * Error boundaries only exist in the browser. On the server, React's answer to a throw is the
 * nearest Suspense boundary: it sends the fallback in its place, finishes the page, and lets the
 * browser retry that part. So the two are nested: Suspense contains a server-render throw (the
 * page still answers 200 with the rest rendered), and the error boundary contains the browser's
 * retry and any later throw.
 */
export function Contained({ fallback, children, onError }: ContainedProps) {
  return (
    <ErrorBoundary fallback={fallback} onError={onError}>
      <Suspense fallback={fallback}>{children}</Suspense>
    </ErrorBoundary>
  );
}

export function ErrorFallback({ what }: { what: string }) {
  return (
    <div role="alert" data-testid="error-fallback" className="error-fallback">
      {what} is unavailable right now. The rest of this page still works.
    </div>
  );
}
