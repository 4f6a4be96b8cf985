import { ErrorBoundary } from '@sentry/nextjs';
import { Suspense, type ReactNode } from 'react';

interface ContainedProps {
  /** Shown instead of `children` when they fail, on the server or in the browser. */
  fallback: ReactNode;
  children: ReactNode;
  /**
   * Called in the browser when the boundary catches a throw of `children` (after Sentry captured
   * it), e.g. to end the span of what threw. A server-render throw calls nothing: React contains
   * it with the Suspense fallback and no code of ours runs.
   */
  onError?: (error: unknown) => void;
}

/**
 * Keeps a failing part of the page from taking the page down, and reports what it contained.
 *
 * Error boundaries only exist in the browser. On the server, React's answer to a throw is the
 * nearest Suspense boundary: it sends the fallback in its place, finishes the page, and lets the
 * browser retry that part. So the two are nested: Suspense contains a server-render throw (the
 * page still answers 200 with the rest rendered), and Sentry's error boundary contains the
 * browser's retry and any later throw, and captures it. Whose error it is, is decided later from
 * the stack (see ownership.ts), not here. Hosts contain shop's modules with it; shop contains
 * its own Header in its own pages the same way.
 */
export function Contained({ fallback, children, onError }: ContainedProps) {
  return (
    <ErrorBoundary fallback={<>{fallback}</>} onError={onError}>
      <Suspense fallback={fallback}>{children}</Suspense>
    </ErrorBoundary>
  );
}
