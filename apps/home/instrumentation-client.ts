import { initZoneClient } from '@repo/observability/client';

initZoneClient();
