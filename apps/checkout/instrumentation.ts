export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { initZoneServer } = await import('@repo/observability/server');
    initZoneServer();
  }
}

export { onRequestError } from '@repo/observability/instrumentation';
