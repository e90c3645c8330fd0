import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../src/errors.js';
import { decodeFrame, webSocketUrl } from '../src/transport.js';

describe('transport', () => {
  it('derives the socket URL from the base URL', () => {
    assert.equal(webSocketUrl('http://127.0.0.1:8080'), 'ws://127.0.0.1:8080/v1/ws');
    assert.equal(webSocketUrl('https://chat.example.com/retract/'), 'wss://chat.example.com/retract/v1/ws');
  });

  it('decodes text and binary frames', () => {
    const synced = { type: 'synced', seq: 4 };
    assert.deepEqual(decodeFrame(JSON.stringify(synced)), synced);
    assert.deepEqual(decodeFrame(Buffer.from(JSON.stringify(synced))), synced);
  });

  it('ignores frame types it does not know (a newer server may send them)', () => {
    assert.equal(decodeFrame('{"type":"presence","who":"u_1"}'), undefined);
  });

  it('rejects what the ordering logic cannot trust', () => {
    for (const bad of [
      'not json',
      '[]',
      '{"no":"type"}',
      '{"type":"event","event":{}}',
      '{"type":"synced"}',
    ]) {
      assert.throws(() => decodeFrame(bad), ProtocolError, bad);
    }
    assert.throws(() => decodeFrame(42), ProtocolError);
  });
});
