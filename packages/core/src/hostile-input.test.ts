import { createClient } from '@libsql/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTempMemory } from './__fixtures__/temp-store.js';
import { EpisodicError } from './errors.js';
import {
  hostileJson,
  hostileNumber,
  hostileString,
  mostly,
  plausibleMetadata,
  plausibleText,
} from './testing/hostile-input.js';

const hostileJsonValue = hostileJson();

const hostileStep = fc.record(
  {
    action: mostly(plausibleText, fc.oneof(hostileString, hostileNumber, fc.constant(null))),
    result: mostly(fc.option(plausibleText, { nil: undefined }), hostileString),
    durationMs: mostly(fc.option(fc.nat(), { nil: undefined }), hostileNumber),
    success: mostly(fc.option(fc.boolean(), { nil: undefined }), fc.constant('yes')),
    timestamp: mostly(fc.constant(undefined), fc.constantFrom('not a date', '2026-01-01T00:00:00Z')),
    metadata: mostly(fc.option(plausibleMetadata, { nil: undefined }), hostileJsonValue),
    unknownField: mostly(fc.constant(undefined), fc.string()),
  },
  { requiredKeys: ['action'] },
);

let store: Awaited<ReturnType<typeof openTempMemory>>;
let cases = 0;
let stored = 0;
let refused = 0;

beforeAll(async () => {
  store = await openTempMemory();
});
afterAll(async () => {
  const raw = createClient({ url: store.url });
  expect((await raw.execute('PRAGMA integrity_check')).rows[0]?.integrity_check).toBe('ok');
  raw.close();
  await store.close();
  console.info(
    `hostile input: ${cases} cases, ${stored} stored faithfully, ${refused} refused with a typed error`,
  );
});

function withoutUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function outcome<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    expect(EpisodicError.isInstance(error), String(error)).toBe(true);
    expect(['VALIDATION', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN']).toContain((error as EpisodicError).code);
    return { ok: false };
  }
}

describe('hostile input to the public API', () => {
  it('starts an episode faithfully or refuses it with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            taskType: mostly(fc.constant('debugging'), hostileString),
            domain: mostly(plausibleText, hostileString),
            context: mostly(fc.option(plausibleText, { nil: undefined }), hostileString),
            metadata: mostly(fc.option(plausibleMetadata, { nil: undefined }), hostileJsonValue),
          },
          { requiredKeys: [] },
        ),
        async (input) => {
          cases += 1;
          const result = await outcome(() => store.memory.episodes.start(input as never));
          if (!result.ok) return void (refused += 1);
          stored += 1;
          const read = await store.memory.episodes.get(result.value.id);
          expect(read).toMatchObject(
            withoutUndefined({
              taskType: input.taskType,
              // A domain is read composed (NFC): `café` typed either way is one domain.
              domain: typeof input.domain === 'string' ? input.domain.normalize('NFC') : input.domain,
              context: input.context ?? null,
            }),
          );
          expect(read?.metadata ?? undefined).toEqual(
            input.metadata === undefined ? undefined : withoutUndefined(input.metadata),
          );
        },
      ),
      { numRuns: 300 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stores a batch of steps whole and faithfully, or stores none of it', async () => {
    const episode = await store.memory.episodes.start({ taskType: 'testing', domain: 'fuzz' });
    let expectedCount = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostileStep, { minLength: 1, maxLength: 4 }), async (steps) => {
        cases += 1;
        const result = await outcome(() => store.memory.episodes.logSteps(episode.id, steps as never));
        if (result.ok) {
          expect(result.value.map((step) => step.durationMs)).toEqual(
            (await store.memory.episodes.get(episode.id))?.steps
              .slice(-steps.length)
              .map((step) => step.durationMs),
          );
          stored += 1;
          expectedCount += steps.length;
          const read = (await store.memory.episodes.get(episode.id))?.steps.slice(-steps.length) ?? [];
          read.forEach((step, i) => {
            const input = steps[i]!;
            expect(step.action).toBe(input.action);
            expect(step.result).toBe(input.result ?? null);
            expect(step.durationMs).toBe(typeof input.durationMs === 'number' ? input.durationMs + 0 : null);
            expect(step.metadata ?? undefined).toEqual(
              input.metadata === undefined ? undefined : withoutUndefined(input.metadata),
            );
          });
        } else {
          refused += 1;
        }
        expect((await store.memory.episodes.get(episode.id))?.steps).toHaveLength(expectedCount);
      }),
      { numRuns: 300 },
    );
  });

  it('answers hostile searches, lists and ids with results or a typed error, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, hostileNumber, async (text, limit) => {
        cases += 3;
        await outcome(() => store.memory.search.text({ text, limit } as never));
        await outcome(() => store.memory.episodes.list({ domain: text, cursor: text } as never));
        await outcome(() => store.memory.episodes.get(text));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the audit log readable whatever ids and names were looked up or recorded', async () => {
    await outcome(() => store.memory.patterns.get('\uD800'));
    store.memory.admin.recordAudit({
      actor: 'local',
      operation: 'read',
      entityType: 'pattern',
      entityId: '\uD800',
      outcome: 'denied',
    });
    await fc.assert(
      fc.asyncProperty(hostileString, async (text) => {
        cases += 2;
        await outcome(() => store.memory.patterns.get(text));
        // Recorded as given (a server audits refusals with the procedure's input this way).
        store.memory.admin.recordAudit({
          actor: text,
          operation: 'read',
          entityType: 'pattern',
          entityId: text,
          domain: text,
          outcome: 'denied',
        });
      }),
      { numRuns: 100 },
    );
    await store.memory.admin.flushAudit();
    // A lone surrogate stored inside JSON made libSQL's driver abort the process on this read.
    const entries = await store.memory.admin.audit({ outcome: 'denied', limit: 1000 });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.some((entry) => entry.entityId === '\uFFFD')).toBe(true);
  });

  it('rejects bad flush options through the promise, as every other method does', async () => {
    let thrown: unknown;
    let flushed: Promise<unknown> | undefined;
    try {
      flushed = store.memory.learning.flush({ timeoutMs: -1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeUndefined();
    await expect(flushed).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
