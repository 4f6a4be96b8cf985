/**
 * Next's dev-overlay client, which its pages-router dev client feeds. It publishes no types, and
 * is Next's internal: dev-overlay.ts checks its shape at run time (nextOverlayControl), and
 * dev-overlay.test.ts checks the installed Next still has what it needs.
 */
declare module 'next/dist/compiled/next-devtools' {
  export const dispatcher: unknown;
}
