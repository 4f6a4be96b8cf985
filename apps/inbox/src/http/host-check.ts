/**
 * The Host check, against DNS rebinding. A page at a name of the attacker's that has come to
 * resolve to 127.0.0.1 is same-origin with whatever answers there, so no CORS rule stops it from
 * reading; only the `Host` its requests carry (the attacker's name) tells. A request whose Host
 * is not one of the inbox's names is refused with 421 and the reason, before any route runs.
 *
 * The inbox's names: loopback names and addresses (`localhost`, `*.localhost`, 127.0.0.0/8,
 * `[::1]`), the address it listens on (`INBOX_HOST`, unless a wildcard such as 0.0.0.0), and the
 * host names of the allowlisted origins (`INBOX_ALLOWED_ORIGINS`: naming an origin there is how
 * one reaches the inbox under another name). The port is not checked: the name is what an
 * attacker controls. Ingest is mounted before this check: SDKs may reach the inbox under any name
 * (a container's host name), and what they can do there is guarded by their keys.
 */

import { createMiddleware } from 'hono/factory';
import { refuse, send } from './answer.ts';
import { type InboxEnv, header } from './request.ts';

/** A host name as URLs write it: lower case, IPv4 normalised, IPv6 in brackets; undefined when not one. */
function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/** `localhost`, `*.localhost`, 127.0.0.0/8, `[::1]` and IPv4-mapped 127.0.0.0/8 (`[::ffff:7f00:1]`). */
export function isLoopbackName(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '[::1]' ||
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname)
  );
}

/** A listen address as a host name, or undefined for a wildcard address (which names nothing). */
function listenName(address: string): string | undefined {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  if (bare === '' || bare === '0.0.0.0' || bare === '::') return undefined;
  return hostnameOf(bare.includes(':') ? `[${bare}]` : bare);
}

/** Whether listening on `address` (INBOX_HOST) keeps the inbox to this machine. */
export function isLoopbackAddress(address: string): boolean {
  const name = listenName(address);
  return name !== undefined && isLoopbackName(name);
}

export interface HostNames {
  /** Whether `Host` (as sent, with its port) names this inbox. */
  allows(host: string | undefined): boolean;
  /** The names besides loopback, for messages. */
  readonly extra: readonly string[];
}

/** The inbox's names: loopback, `listenAddress` and the host names of `allowedOrigins`. */
export function hostNames(listenAddress: string, allowedOrigins: readonly string[]): HostNames {
  const extra = new Set<string>();
  const names = [listenName(listenAddress), ...allowedOrigins.map((origin) => hostnameOf(new URL(origin).host))];
  for (const name of names) if (name !== undefined && !isLoopbackName(name)) extra.add(name);
  return {
    extra: [...extra],
    allows(host) {
      const name = host === undefined ? undefined : hostnameOf(host);
      return name !== undefined && (isLoopbackName(name) || extra.has(name));
    },
  };
}

/** Refuses, with 421 and the reason, a request whose Host is not one of `names`. */
export function hostCheck(names: HostNames) {
  const known = ['localhost', '*.localhost', '127.0.0.0/8', '[::1]', ...names.extra].join(', ');
  return createMiddleware<InboxEnv>(async (c, next) => {
    const host = header(c, 'host');
    if (names.allows(host)) return next();
    return send(
      c,
      refuse(
        421,
        `Refused: Host ${JSON.stringify(host ?? '')} is not one of this inbox's names (${known}): a page under another ` +
          'name may be a DNS-rebinding attack. To reach the inbox under that name, add its origin to INBOX_ALLOWED_ORIGINS.',
      ),
    );
  });
}
