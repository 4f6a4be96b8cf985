import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IngestFormatError,
  PayloadTooLargeError,
  envelopeEvents,
  keyFromAuthHeader,
  normalizeEventId,
  parseDsn,
  parseEnvelope,
  storeEvent,
} from './envelope.ts';

const ID = '9ec79c33ec9942ab8353589fcb2e04dc';

describe('parseEnvelope', () => {
  it('reads items with and without a length, including binary payloads that contain newlines', () => {
    const attachment = Buffer.from([0x00, 0x0a, 0xff, 0x0a, 0x41]);
    const body = Buffer.concat([
      Buffer.from(`{"event_id":"${ID}","dsn":"http://k@localhost:9000/2"}\n`),
      Buffer.from(`{"type":"attachment","length":${attachment.length},"filename":"a.bin"}\n`),
      attachment,
      Buffer.from('\n{"type":"event"}\n{"message":"héllo"}\n'),
      Buffer.from('{"type":"client_report"}\n{"discarded_events":[]}'),
    ]);
    const envelope = parseEnvelope(body);
    assert.equal(envelope.header.event_id, ID);
    assert.deepEqual(
      envelope.items.map((item) => item.type),
      ['attachment', 'event', 'client_report'],
    );
    assert.deepEqual(envelope.items[0]?.payload, attachment);
    assert.equal(envelope.items[1]?.payload.toString(), '{"message":"héllo"}');
  });

  it('counts a length in bytes, not characters', () => {
    const payload = '{"message":"€"}';
    const body = Buffer.from(`{}\n{"type":"event","length":${Buffer.byteLength(payload)}}\n${payload}`);
    assert.equal(parseEnvelope(body).items[0]?.payload.toString(), payload);
  });

  it('accepts an envelope with no items and a trailing newline', () => {
    assert.deepEqual(parseEnvelope(Buffer.from('{}\n')).items, []);
  });

  it('refuses malformed envelopes with a reason', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['not json\n', /envelope header/],
      ['[]\n', /envelope header/],
      ['{}\n{"type":"event"\n{}', /header of item 1/],
      ['{}\n{"length":2}\n{}', /no "type"/],
      ['{}\n{"type":"event","length":-1}\n{}', /invalid "length"/],
      ['{}\n{"type":"event","length":50}\n{}', /declares 50 bytes/],
      ['{}\n{"type":"event","length":1}\n{}', /longer than its "length"/],
    ];
    for (const [body, reason] of cases) {
      assert.throws(() => parseEnvelope(Buffer.from(body)), (error: unknown) => {
        assert.ok(error instanceof IngestFormatError, `${JSON.stringify(body)} throws an IngestFormatError`);
        assert.match(error.message, reason);
        return true;
      });
    }
  });
});

describe('envelopeEvents', () => {
  it('keeps only event items, with ids normalised, from the payload or else the envelope header', () => {
    const upper = '9EC79C33-EC99-42AB-8353-589FCB2E04DC';
    const body = [
      `{"event_id":"${upper}"}`,
      '{"type":"session"}',
      '{"sid":"x"}',
      '{"type":"event"}',
      '{"message":"no id in payload"}',
      '{"type":"transaction"}',
      '{"type":"transaction"}',
    ].join('\n');
    const events = envelopeEvents(parseEnvelope(Buffer.from(body)));
    assert.deepEqual(
      events.map((e) => e.eventId),
      [ID],
    );
  });

  it('gives an event without any id a fresh one', () => {
    const [event] = envelopeEvents(parseEnvelope(Buffer.from('{}\n{"type":"event"}\n{"message":"m"}')));
    assert.match(event?.eventId ?? '', /^[0-9a-f]{32}$/);
  });

  it('refuses an event payload that is not a JSON object, or a bad event id', () => {
    assert.throws(() => envelopeEvents(parseEnvelope(Buffer.from('{}\n{"type":"event"}\n[1]'))), /item 1 \(event\)/);
    assert.throws(
      () => envelopeEvents(parseEnvelope(Buffer.from('{}\n{"type":"event"}\n{"event_id":"nope"}'))),
      /invalid event_id/,
    );
  });
});

describe('storeEvent', () => {
  it('reads one event', () => {
    assert.equal(storeEvent(Buffer.from(`{"event_id":"${ID}"}`)).eventId, ID);
    assert.throws(() => storeEvent(Buffer.from('nope')), IngestFormatError);
  });
});

describe('client keys', () => {
  it('reads sentry_key from an X-Sentry-Auth header', () => {
    assert.equal(
      keyFromAuthHeader('Sentry sentry_key=abc, sentry_version=7, sentry_client=sentry.javascript.nextjs/9.0.0'),
      'abc',
    );
    assert.equal(keyFromAuthHeader('Sentry sentry_version=7,sentry_key=def'), 'def');
    assert.equal(keyFromAuthHeader('Bearer abc'), undefined);
    assert.equal(keyFromAuthHeader('Sentry sentry_version=7'), undefined);
    assert.equal(keyFromAuthHeader(undefined), undefined);
  });

  it('reads the public key and project id of a DSN', () => {
    assert.deepEqual(parseDsn('http://d1ee3ab1381d262f9833ffe785b132d0@localhost:9000/2'), {
      key: 'd1ee3ab1381d262f9833ffe785b132d0',
      projectId: '2',
    });
    assert.deepEqual(parseDsn('https://k@o1.ingest.sentry.io/path/42'), { key: 'k', projectId: '42' });
    assert.throws(() => parseDsn('not a dsn'), /not a URL/);
    assert.throws(() => parseDsn('http://localhost:9000/2'), /no public key/);
  });

  it('refuses an event item above 1 MiB with PayloadTooLargeError, and a store body too', () => {
    const big = JSON.stringify({ message: 'x'.repeat(1024 * 1024) });
    assert.throws(() => parseEnvelope(Buffer.from(`{}\n{"type":"event"}\n${big}`)), PayloadTooLargeError);
    assert.throws(() => storeEvent(Buffer.from(big)), PayloadTooLargeError);
    // Other items are held only to the envelope limit.
    assert.equal(parseEnvelope(Buffer.from(`{}\n{"type":"attachment"}\n${big}`)).items.length, 1);
  });

  it('normalises event ids', () => {
    assert.equal(normalizeEventId('9EC79C33-EC99-42AB-8353-589FCB2E04DC'), ID);
    assert.equal(normalizeEventId('123'), undefined);
  });
});
