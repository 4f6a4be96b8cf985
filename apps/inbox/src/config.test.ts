/**
 * The inbox's configuration (config.ts), read from an environment given to it.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolve } from 'node:path';
import { DEFAULT_REGISTRY_FILE } from '@repo/releases/default-file';
import { DEFAULT_REGISTRY_TOKEN } from '@repo/releases/store';
import { DEFAULT_INBOX_UPLOAD_TOKEN, topology } from '@repo/topology';
import { ZONE_ORIGINS, exposureWarning, parseAllowedOrigins, parseRateLimit, readConfig } from './config.ts';

describe('config', () => {
  it('reads the rate limit, the token and the webhooks from the environment', () => {
    assert.equal(parseRateLimit(undefined), undefined);
    assert.equal(parseRateLimit('0'), undefined);
    assert.deepEqual(parseRateLimit('100/60'), { events: 100, windowSeconds: 60 });
    assert.deepEqual(parseRateLimit(' 5 / 1s '), { events: 5, windowSeconds: 1 });
    assert.throws(() => parseRateLimit('fast'), /INBOX_RATE_LIMIT/);

    const config = readConfig({
      INBOX_READ_TOKEN: ' t ',
      INBOX_WEBHOOK_SHOP: 'https://hooks.example.com/services/SECRET',
      INBOX_RATE_LIMIT: '10/60',
    });
    assert.equal(config.readToken, 't');
    assert.deepEqual(config.webhooks, { shop: 'https://hooks.example.com/services/SECRET' });
    assert.deepEqual(config.rateLimit, { events: 10, windowSeconds: 60 });
    assert.equal(readConfig({}).readToken, undefined);
    assert.equal(readConfig({}).rateLimit, undefined);
    // A bad webhook is refused without echoing it (it is a secret).
    assert.throws(
      () => readConfig({ INBOX_WEBHOOK_HOME: 'SECRET-not-a-url' }),
      (error: Error) => /INBOX_WEBHOOK_HOME is not a URL/.test(error.message) && !error.message.includes('SECRET'),
    );
  });

  it('allows the zones\' origins and INBOX_ALLOWED_ORIGINS, normalised; refuses * and what is not an origin', () => {
    assert.deepEqual(ZONE_ORIGINS, [topology.zones.home.origin, topology.zones.shop.origin, topology.zones.checkout.origin]);
    assert.deepEqual(readConfig({}).allowedOrigins, ZONE_ORIGINS);
    assert.deepEqual(readConfig({ INBOX_ALLOWED_ORIGINS: ` http://Lab.test:4000/ , https://inbox.example ,,${topology.zones.home.origin}` }).allowedOrigins, [
      ...ZONE_ORIGINS,
      'http://lab.test:4000',
      'https://inbox.example',
    ]);
    assert.deepEqual(parseAllowedOrigins(undefined), []);
    assert.throws(() => parseAllowedOrigins('*'), /cannot be \*/);
    assert.throws(() => parseAllowedOrigins('lab.test:4000'), /"lab.test:4000" is not an http\(s\) origin/);
    assert.throws(() => parseAllowedOrigins('ftp://lab.test'), /INBOX_ALLOWED_ORIGINS/);
  });

  it('warns when listening beyond loopback without a read token or with the default upload token, and only then', () => {
    const uploadToken = 'own-upload-token';
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) {
      assert.equal(exposureWarning({ host, readToken: undefined, uploadToken: DEFAULT_INBOX_UPLOAD_TOKEN }), undefined, host);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'inbox.example']) {
      const noReadToken = exposureWarning({ host, readToken: undefined, uploadToken }) ?? '';
      assert.match(noReadToken, /^WARNING: listening on .*without INBOX_READ_TOKEN/, host);
      assert.doesNotMatch(noReadToken, /upload token/);
      assert.equal(exposureWarning({ host, readToken: 'secret', uploadToken }), undefined, host);
      const defaultUpload = exposureWarning({ host, readToken: 'secret', uploadToken: DEFAULT_INBOX_UPLOAD_TOKEN }) ?? '';
      assert.match(defaultUpload, /^WARNING: listening on .*with the default upload token.*INBOX_UPLOAD_TOKEN/, host);
      assert.doesNotMatch(defaultUpload, /INBOX_READ_TOKEN/);
      assert.equal((exposureWarning({ host, readToken: undefined, uploadToken: DEFAULT_INBOX_UPLOAD_TOKEN }) ?? '').split('\n').length, 2);
    }
  });

  it('reads the upload token, the topology default when unset or blank', () => {
    assert.equal(readConfig({}).uploadToken, DEFAULT_INBOX_UPLOAD_TOKEN);
    assert.equal(readConfig({ INBOX_UPLOAD_TOKEN: '  ' }).uploadToken, DEFAULT_INBOX_UPLOAD_TOKEN);
    assert.equal(readConfig({ INBOX_UPLOAD_TOKEN: ' mine ' }).uploadToken, 'mine');
  });

  it('reads the registry (a file or a URL), the file it serves and the token a PUT of it needs', () => {
    const defaults = readConfig({});
    assert.deepEqual([defaults.registry, defaults.registryFile, defaults.registryToken], [
      DEFAULT_REGISTRY_FILE,
      DEFAULT_REGISTRY_FILE,
      DEFAULT_REGISTRY_TOKEN,
    ]);
    const file = readConfig({ FEDERATION_REGISTRY: '/tmp/registry.json', FEDERATION_REGISTRY_TOKEN: ' own ' });
    assert.deepEqual([file.registry, file.registryFile, file.registryToken], ['/tmp/registry.json', '/tmp/registry.json', 'own']);
    const url = 'http://registry.test:9000/api/releases/registry.json';
    const http = readConfig({ FEDERATION_REGISTRY: url });
    assert.deepEqual([http.registry, http.registryFile], [url, DEFAULT_REGISTRY_FILE]);
    const served = readConfig({ FEDERATION_REGISTRY: url, INBOX_REGISTRY_FILE: 'served.json' });
    assert.deepEqual([served.registry, served.registryFile], [url, resolve('served.json')]);
  });
});
