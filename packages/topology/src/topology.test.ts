import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import {
  DEFAULT_INBOX_UPLOAD_TOKEN,
  TOPOLOGY_ENV_NAMES,
  ZONE_NAMES,
  hostsOf,
  inboxUploadToken,
  remoteEntryUrl,
  resolveTopology,
  startOrder,
} from './index.ts';

describe('resolveTopology', () => {
  it('gives the contract ports when nothing is overridden', () => {
    const t = resolveTopology({});
    assert.deepEqual(
      ZONE_NAMES.map((n) => [n, t.zones[n].port, t.zones[n].origin]),
      [
        ['home', 3000, 'http://localhost:3000'],
        ['shop', 3001, 'http://localhost:3001'],
        ['checkout', 3002, 'http://localhost:3002'],
      ],
    );
    assert.equal(t.inbox.origin, 'http://localhost:9000');
  });

  it('takes each port from its variable', () => {
    const t = resolveTopology({ HOME_PORT: '4000', SHOP_PORT: '4001', CHECKOUT_PORT: '4002', INBOX_PORT: '4009' });
    assert.equal(t.zones.home.origin, 'http://localhost:4000');
    assert.equal(t.zones.shop.port, 4001);
    assert.equal(t.zones.checkout.port, 4002);
    assert.equal(t.inbox.port, 4009);
  });

  it('treats an empty variable as unset', () => {
    assert.equal(resolveTopology({ SHOP_PORT: '' }).zones.shop.port, 3001);
  });

  it('refuses a port that is not one, naming the variable', () => {
    for (const bad of ['abc', '0', '65536', '3000.5', '-1']) {
      assert.throws(() => resolveTopology({ SHOP_PORT: bad }), new RegExp(`SHOP_PORT=.*${bad.replace('.', '\\.')}`));
    }
  });

  it('refuses two services on one port', () => {
    assert.throws(() => resolveTopology({ CHECKOUT_PORT: '3001' }), /Port 3001 is given to both shop and checkout/);
    assert.throws(() => resolveTopology({ INBOX_PORT: '3000' }), /Port 3000 is given to both home and inbox/);
  });

  it('makes home and checkout the hosts of shop, and shop nobody’s host', () => {
    const t = resolveTopology({});
    assert.deepEqual(hostsOf(t, 'shop').map((z) => z.name), ['home', 'checkout']);
    assert.deepEqual(t.zones.shop.consumes, []);
    assert.equal(t.zones.shop.isRemote, true);
    for (const n of ZONE_NAMES) assert.equal(t.zones[n].owner, n);
  });
});

describe('remoteEntryUrl', () => {
  it('points browsers and servers at the two entries a Next remote serves', () => {
    const t = resolveTopology({ SHOP_PORT: '5001' });
    assert.equal(remoteEntryUrl(t, 'shop', 'browser'), 'http://localhost:5001/_next/static/chunks/remoteEntry.js');
    assert.equal(remoteEntryUrl(t, 'shop', 'server'), 'http://localhost:5001/_next/static/ssr/remoteEntry.js');
  });
});

describe('topologyEnv', () => {
  it('reads every variable the topology declares, as an inlinable process.env.X expression', () => {
    const source = readFileSync(new URL('./env.ts', import.meta.url), 'utf8');
    for (const name of TOPOLOGY_ENV_NAMES) {
      assert.match(source, new RegExp(`${name}: process\\.env\\.${name},`), `${name} missing from topologyEnv()`);
    }
  });
});

describe('dsns', () => {
  it('default to each owner’s project in the local inbox, on the inbox port', () => {
    const t = resolveTopology({ INBOX_PORT: '9100' });
    assert.equal(t.dsns.shop, 'http://d1ee3ab1381d262f9833ffe785b132d0@localhost:9100/2');
    assert.equal(t.dsns.home, 'http://55d41049551a4c0fbcce656ce0c045e4@localhost:9100/1');
    assert.equal(t.dsns.checkout, 'http://2879ddad62795253207a0c17fbe45b8c@localhost:9100/3');
  });

  it('take SENTRY_DSN_<OWNER> for that owner only', () => {
    const t = resolveTopology({ SENTRY_DSN_SHOP: 'https://abc@o1.ingest.example.io/42' });
    assert.equal(t.dsns.shop, 'https://abc@o1.ingest.example.io/42');
    assert.equal(t.dsns.checkout, 'http://2879ddad62795253207a0c17fbe45b8c@localhost:9000/3');
  });
});

describe('startOrder', () => {
  it('starts shop before the hosts that consume it', () => {
    assert.deepEqual(startOrder(resolveTopology({})).map((z) => z.name), ['shop', 'home', 'checkout']);
  });
});

describe('inboxUploadToken', () => {
  it('is INBOX_UPLOAD_TOKEN when set, else the local default shaped like a Sentry user token', () => {
    assert.equal(inboxUploadToken({ INBOX_UPLOAD_TOKEN: ' sntryu_abc ' }), 'sntryu_abc');
    assert.equal(inboxUploadToken({ INBOX_UPLOAD_TOKEN: '' }), DEFAULT_INBOX_UPLOAD_TOKEN);
    assert.match(inboxUploadToken({}), /^sntryu_[0-9a-f]{64}$/);
  });
});
