import { addEpisodeToStats, type BaselineStats, emptyBaselineStats, toBaseline } from '../baseline-stats.js';
import { measureEpisode } from '../episode-measures.js';
import type { EpisodeView, StepView } from '../episode-view.js';
import type { JsonObject } from '../json.js';
import type { MineInput } from '../pattern-miner.js';

/** A step as a test writes it; everything else is filled in. */
export interface StepFixture {
  action: string;
  result?: string | null;
  success?: boolean | null;
  durationMs?: number | null;
  metadata?: JsonObject | null;
}

/** A finished episode as a test writes it. */
export interface EpisodeFixture {
  taskType?: string;
  domain?: string;
  /** Defaults to `completed`. */
  status?: 'completed' | 'failed';
  context?: string | null;
  steps: readonly StepFixture[];
}

export interface BuildOptions {
  /** Distinguishes the ids of one build from another's (as two real episodes differ). */
  idPrefix?: string;
  /** Start time, ms since the epoch. */
  startMs?: number;
}

const baseMs = Date.UTC(2026, 0, 1);

function fixtureId(prefix: string, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${prefix.padEnd(8, '0').slice(0, 8)}-0000-7000-8000-${hex}`;
}

/**
 * A finished episode with its steps, as the engine would hand it to a miner, built
 * deterministically from a fixture (ids and timestamps follow from `index` and the options).
 */
export function buildEpisode(fixture: EpisodeFixture, index = 0, options: BuildOptions = {}): EpisodeView {
  const prefix = options.idPrefix ?? 'e0000000';
  const start = (options.startMs ?? baseMs) + index * 3_600_000;
  const id = fixtureId(prefix, index * 100_000);
  let at = start;
  const steps: StepView[] = fixture.steps.map((step, position) => {
    at += step.durationMs ?? 1000;
    return {
      id: fixtureId(prefix, index * 100_000 + position + 1),
      episodeId: id,
      stepNumber: position + 1,
      action: step.action,
      result: step.result ?? null,
      durationMs: step.durationMs ?? null,
      success: step.success ?? null,
      timestamp: new Date(at).toISOString(),
      metadata: step.metadata ?? null,
    };
  });
  const status = fixture.status ?? 'completed';
  return {
    id,
    taskType: fixture.taskType ?? 'debugging',
    domain: fixture.domain ?? 'test',
    context: fixture.context ?? null,
    status,
    successRate: status === 'completed' ? 1 : 0,
    createdAt: new Date(start).toISOString(),
    completedAt: new Date(at + 1).toISOString(),
    metadata: null,
    steps,
  };
}

/**
 * What a miner receives for each fixture when the engine mines them one after the other: the
 * episode, its outcome, and baselines over the fixtures before it (the same arithmetic the
 * engine keeps in `pattern_baselines`).
 */
export function createMineInputs(
  fixtures: readonly EpisodeFixture[],
  options: BuildOptions = {},
): MineInput[] {
  const stats = new Map<string, BaselineStats>();
  const statsOf = (key: string) => stats.get(key) ?? emptyBaselineStats();
  return fixtures.map((fixture, index) => {
    const episode = buildEpisode(fixture, index, options);
    const succeeded = episode.status === 'completed';
    const taskKey = JSON.stringify([episode.domain, episode.taskType]);
    const domainKey = JSON.stringify([episode.domain, null]);
    const input: MineInput = {
      episode,
      succeeded,
      history: { taskType: toBaseline(statsOf(taskKey)), domain: toBaseline(statsOf(domainKey)) },
    };
    const measures = measureEpisode(episode);
    stats.set(taskKey, addEpisodeToStats(statsOf(taskKey), measures, succeeded));
    stats.set(domainKey, addEpisodeToStats(statsOf(domainKey), measures, succeeded));
    return input;
  });
}
