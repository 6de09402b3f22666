import { describe, expect, it } from 'vitest';
import { createCallAdmission, defaultCallsPerToken } from './call-admission.js';

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createCallAdmission', () => {
  it("admits a token's calls up to its share, then one per ended call, in the order they came", async () => {
    const admission = createCallAdmission(2);
    const started: string[] = [];
    const ends = new Map<string, () => void>();
    for (const call of ['a1', 'a2', 'a3', 'a4']) {
      void admission.admit('a').then((end) => {
        started.push(call);
        ends.set(call, end);
      });
    }
    await settle();
    expect(started).toEqual(['a1', 'a2']);
    expect({ running: admission.running, waiting: admission.waiting }).toEqual({ running: 2, waiting: 2 });

    ends.get('a2')?.();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3']);
    // Ending a call twice (a finally after a catch that ended it) frees one slot, not two.
    ends.get('a2')?.();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3']);
    expect({ running: admission.running, waiting: admission.waiting }).toEqual({ running: 2, waiting: 1 });

    ends.get('a1')?.();
    ends.get('a3')?.();
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3', 'a4']);
    ends.get('a4')?.();
    expect({ running: admission.running, waiting: admission.waiting }).toEqual({ running: 0, waiting: 0 });
  });

  it("lets another token's call start while one token's calls wait", async () => {
    const admission = createCallAdmission(1);
    const endA = await admission.admit('a');
    let secondA = false;
    void admission.admit('a').then(() => {
      secondA = true;
    });
    const endB = await admission.admit('b');
    await settle();
    expect(secondA).toBe(false);
    expect({ running: admission.running, waiting: admission.waiting }).toEqual({ running: 2, waiting: 1 });
    endB();
    endA();
    await settle();
    expect(secondA).toBe(true);
  });

  it('refuses a share that is not a positive integer', () => {
    expect(() => createCallAdmission(0)).toThrow('perToken must be a positive integer, got 0');
    expect(() => createCallAdmission(1.5)).toThrow(RangeError);
  });
});

describe('defaultCallsPerToken', () => {
  it('is 4 where the work is the server’s own CPU, 64 where calls mostly wait for the network', () => {
    const local = 'file:/srv/data/memory.db';
    for (const embeddings of ['local', 'static', 'none'])
      expect(defaultCallsPerToken({ databaseUrl: local, embeddings })).toBe(4);
    expect(defaultCallsPerToken({ databaseUrl: ':memory:', embeddings: 'local' })).toBe(4);
    expect(defaultCallsPerToken({ databaseUrl: local, embeddings: 'openai' })).toBe(64);
    expect(defaultCallsPerToken({ databaseUrl: local, embeddings: { provider: 'plugin' } })).toBe(64);
    for (const remote of ['libsql://db.turso.io', 'https://db.example.com', 'ws://127.0.0.1:8080'])
      expect(defaultCallsPerToken({ databaseUrl: remote, embeddings: 'local' })).toBe(64);
  });
});
