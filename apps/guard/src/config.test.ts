import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from './config.ts';

test('defaults: every 500 ms over 300 s, 10 sessions and 3 failed, the local inbox with no token, owners as project slugs', () => {
  const config = readConfig({ FEDERATION_REGISTRY: '/tmp/registry.json', INBOX_PORT: '9100' });
  assert.equal(config.intervalMs, 500);
  assert.equal(config.windowMs, 300_000);
  assert.deepEqual(config.rule, { minSessions: 10, minFailed: 3 });
  assert.equal(config.registry, '/tmp/registry.json');
  assert.deepEqual(config.health, {
    url: 'http://localhost:9100',
    org: 'local',
    token: undefined,
    projects: { home: 'home', shop: 'shop', checkout: 'checkout' },
  });
  assert.deepEqual(config.webhooks, {});
});

test('real Sentry: the upload’s variables, the token falling back to the inbox read token', () => {
  const config = readConfig({
    SENTRY_URL: 'https://sentry.example.com/',
    SENTRY_ORG: 'acme',
    SENTRY_PROJECT_SHOP: 'web-shop',
    INBOX_READ_TOKEN: 'read',
    GUARD_INTERVAL_MS: '10000',
    GUARD_WINDOW_S: '600',
    GUARD_MIN_SESSIONS: '20',
    GUARD_MIN_FAILED: '5',
    INBOX_WEBHOOK_SHOP: 'https://hooks.slack.com/services/T0/B0/x',
  });
  assert.deepEqual(config.health, {
    url: 'https://sentry.example.com',
    org: 'acme',
    token: 'read',
    projects: { home: 'home', shop: 'web-shop', checkout: 'checkout' },
  });
  assert.equal(readConfig({ SENTRY_AUTH_TOKEN: 'sntrys_x', INBOX_READ_TOKEN: 'read' }).health.token, 'sntrys_x');
  assert.equal(config.intervalMs, 10_000);
  assert.equal(config.windowMs, 600_000);
  assert.deepEqual(config.rule, { minSessions: 20, minFailed: 5 });
  assert.deepEqual(config.webhooks, { shop: 'https://hooks.slack.com/services/T0/B0/x' });
});

test('refuses what it cannot use, naming the variable', () => {
  assert.throws(() => readConfig({ GUARD_INTERVAL_MS: '0.5' }), /^Error: GUARD_INTERVAL_MS="0.5" is not a whole number of at least 10\.$/);
  assert.throws(() => readConfig({ GUARD_WINDOW_S: '0' }), /GUARD_WINDOW_S="0" is not a whole number of at least 1/);
  assert.throws(() => readConfig({ GUARD_MIN_FAILED: '-1' }), /GUARD_MIN_FAILED/);
  assert.throws(() => readConfig({ SENTRY_URL: 'sentry.io' }), /^Error: SENTRY_URL="sentry.io" is not a URL\.$/);
  assert.throws(() => readConfig({ SENTRY_URL: 'ftp://sentry.io' }), /SENTRY_URL must be an http\(s\) URL/);
  assert.throws(() => readConfig({ INBOX_WEBHOOK_HOME: 'file:///etc/secret' }), /^Error: INBOX_WEBHOOK_HOME must be an http\(s\) URL\.$/);
});
