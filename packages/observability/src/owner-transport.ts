/**
 * The zone's transport, decorated: a span envelope (one trace's spans, as Sentry's span buffer
 * flushes them) is split into one envelope per owner before it is sent (span-ownership.ts), and
 * each part goes through the inner transport, whose matcher sends a remote's part to the
 * remote's DSN (ownerMatcher). The multiplexed transport alone cannot do it: it routes whole
 * envelopes. Everything else passes through as it is.
 */
import type { BaseTransportOptions, Transport, TransportMakeRequestResponse } from '@sentry/core';
import type { Owner } from '@repo/topology';
import { splitByOwner } from './span-ownership';

export function ownerTransport<O extends BaseTransportOptions>(inner: (options: O) => Transport, zone: Owner): (options: O) => Transport {
  return (options) => {
    const transport = inner(options);
    return {
      ...transport,
      async send(envelope): Promise<TransportMakeRequestResponse> {
        // The zone's own part (first) answers for the envelope, as the multiplexed transport's first does.
        const [result] = await Promise.all(splitByOwner(envelope, zone).map((part) => transport.send(part.envelope)));
        return result ?? {};
      },
    };
  };
}
