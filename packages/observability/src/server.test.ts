import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMachineryRequest } from './server';

const INBOX = 'http://localhost:9000';

test("the inbox's own requests (health, uploads, its registry) are machinery, not the app's work", () => {
  assert.equal(isMachineryRequest(`${INBOX}/healthz`, INBOX, undefined), true);
  assert.equal(isMachineryRequest(`${INBOX}/api/releases/registry.json`, INBOX, undefined), true);
  assert.equal(isMachineryRequest('http://localhost:90001/healthz', INBOX, undefined), false);
});

test('a registry read over HTTP is machinery, whatever its query; a file registry names no URL', () => {
  const registry = 'http://registry.example/shop.json';
  assert.equal(isMachineryRequest(`${registry}?t=1`, INBOX, registry), true);
  assert.equal(isMachineryRequest('http://registry.example/other.json', INBOX, registry), false);
  assert.equal(isMachineryRequest('/work/.federation/registry.json', INBOX, '/work/.federation/registry.json'), false);
});

test("requests for shop's code are the app's work", () => {
  assert.equal(isMachineryRequest('http://localhost:3001/_next/static/chunks/remoteEntry.js', INBOX, `${INBOX}/api/releases/registry.json`), false);
});
