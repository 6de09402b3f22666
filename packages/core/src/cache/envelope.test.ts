import { describe, expect, it } from 'vitest';
import {
  encodeEnvelope,
  envelopeDomain,
  envelopeExpiry,
  envelopeJson,
  envelopeJsonBytes,
  isDeflated,
} from './envelope.js';

const expiresAt = Date.UTC(2030, 0, 1);

describe('cache value envelope', () => {
  it('keeps small values plain and returns their JSON and expiry as stored', () => {
    const json = JSON.stringify({ id: 'e1', steps: [{ action: 'read_file', result: 'ok ✓' }] });
    const envelope = encodeEnvelope(json, expiresAt, { compressionThreshold: 1024 });
    expect(isDeflated(envelope)).toBe(false);
    expect(envelope.length).toBe(9 + Buffer.byteLength(json));
    expect(envelopeExpiry(envelope)).toBe(expiresAt);
    expect(envelopeJson(envelope)).toBe(json);
  });

  it('deflates values at or over the threshold, and gives back the same JSON', () => {
    const json = JSON.stringify({
      steps: Array.from({ length: 200 }, (_, i) => ({
        action: `run_tests ${i}`,
        result: 'Error: expected 2',
      })),
    });
    const envelope = encodeEnvelope(json, expiresAt, { compressionThreshold: 1024 });
    expect(isDeflated(envelope)).toBe(true);
    expect(envelope.length).toBeLessThan(json.length / 4);
    expect(envelopeJson(envelope)).toBe(json);
    expect(envelopeExpiry(envelope)).toBe(expiresAt);
  });

  it('stores a value plain when deflating it would not save an eighth of it', () => {
    const json = JSON.stringify({ id: 'q7', n: 3 });
    const envelope = encodeEnvelope(json, expiresAt, { compressionThreshold: 0 });
    expect(isDeflated(envelope)).toBe(false);
    expect(envelopeJson(envelope)).toBe(json);
  });

  it('carries the domain a value belongs to beside its JSON, plain or deflated', () => {
    for (const json of [JSON.stringify({ id: 'e1' }), JSON.stringify({ text: 'x'.repeat(4000) })]) {
      const envelope = encodeEnvelope(json, expiresAt, { compressionThreshold: 1024 }, 'web "shop" ✓');
      expect(envelopeDomain(envelope)).toBe('web "shop" ✓');
      expect(envelopeJson(envelope)).toBe(json);
      expect(envelopeJsonBytes(envelope).toString('utf8')).toBe(json);
      expect(envelopeExpiry(envelope)).toBe(expiresAt);
    }
    expect(envelopeDomain(encodeEnvelope('{}', expiresAt, { compressionThreshold: 1024 }))).toBeUndefined();
  });

  it('recognises bytes that are not an envelope', () => {
    expect(envelopeExpiry(Buffer.from('hello world'))).toBeNull();
    expect(envelopeExpiry(Buffer.from([0x10, 1, 2]))).toBeNull();
  });
});
