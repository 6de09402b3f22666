import { describe, expectTypeOf, it } from 'vitest';
import {
  createEpisodicClient,
  type Episode,
  type EpisodeHandle,
  type EpisodeEvent,
  type EpisodeWithSteps,
  type RouterOutputs,
  type Step,
  type StepInput,
} from './index.js';

const client = createEpisodicClient({ url: 'http://127.0.0.1:7777', token: 'ep_…' });

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

interface ExpectedEpisode {
  id: string;
  taskType: string;
  domain: string;
  context: string | null;
  status: 'active' | 'completed' | 'failed' | 'archived';
  successRate: number | null;
  createdAt: string;
  completedAt: string | null;
  metadata: JsonObject | null;
  embeddingVersion: string | null;
}

interface ExpectedStep {
  id: string;
  episodeId: string;
  stepNumber: number;
  action: string;
  result: string | null;
  durationMs: number | null;
  success: boolean | null;
  timestamp: string;
  metadata: JsonObject | null;
}

interface ExpectedEpisodeWithSteps extends ExpectedEpisode {
  steps: ExpectedStep[];
}

describe('inferred types', () => {
  it('pins procedure inputs', () => {
    expectTypeOf(client.episodes.start.mutate).parameter(0).toEqualTypeOf<{
      taskType: string;
      domain: string;
      context?: string | undefined;
      metadata?: unknown;
    }>();
    expectTypeOf(client.episodes.logSteps.mutate).parameter(0).toEqualTypeOf<{
      episodeId: string;
      steps: {
        id?: string | undefined;
        action: string;
        result?: string | undefined;
        durationMs?: number | undefined;
        success?: boolean | undefined;
        timestamp?: string | Date | undefined;
        metadata?: unknown;
      }[];
    }>();
    expectTypeOf(client.episodes.complete.mutate).parameter(0).toEqualTypeOf<{
      episodeId: string;
      status: 'completed' | 'failed';
      successRate?: number | undefined;
    }>();
    expectTypeOf(client.episodes.get.query).parameter(0).toEqualTypeOf<{ episodeId: string }>();
    expectTypeOf(client.search.text.query).parameter(0).toMatchTypeOf<{ text: string; limit?: number | undefined }>();
    expectTypeOf(client.events.onEpisode.subscribe).parameter(0).toEqualTypeOf<void | { domains?: string[] | undefined } | undefined>();

    // @ts-expect-error a domain is required
    void client.episodes.start.mutate({ taskType: 'debugging' });
    // @ts-expect-error the status is the seed's outcome, nothing else
    void client.episodes.complete.mutate({ episodeId: 'x', status: 'done' });
  });

  it('pins procedure outputs', () => {
    expectTypeOf<Episode>().toEqualTypeOf<ExpectedEpisode>();
    expectTypeOf<Step>().toEqualTypeOf<ExpectedStep>();
    expectTypeOf<EpisodeWithSteps>().toEqualTypeOf<ExpectedEpisodeWithSteps>();
    expectTypeOf<RouterOutputs['episodes']['list']>().toEqualTypeOf<{ items: ExpectedEpisode[]; nextCursor: string | null }>();
    expectTypeOf<RouterOutputs['search']['text'][number]['matches'][number]>().toEqualTypeOf<{
      source: 'episode' | 'step';
      stepNumber: number | null;
      snippet: string;
      score: number;
    }>();
    expectTypeOf<RouterOutputs['patterns']['get']['successRate']>().toEqualTypeOf<number>();
    expectTypeOf<RouterOutputs['admin']['stats']['cache']['keyspaces']['episode']['hitRate']>().toEqualTypeOf<number>();
    expectTypeOf<RouterOutputs['admin']['stats']['databaseBytes']>().toEqualTypeOf<number | null>();
    expectTypeOf<EpisodeEvent['type']>().toEqualTypeOf<'started' | 'steps' | 'completed' | 'archived'>();
    expectTypeOf<Extract<EpisodeEvent, { type: 'steps' }>>().toEqualTypeOf<{
      type: 'steps';
      domain: string;
      episodeId: string;
      steps: ExpectedStep[];
    }>();
  });

  it('pins the episode helper', () => {
    expectTypeOf(client.startEpisode).returns.toEqualTypeOf<Promise<EpisodeHandle>>();
    expectTypeOf<EpisodeHandle['step']>().parameter(0).toEqualTypeOf<StepInput>();
    expectTypeOf<EpisodeHandle['step']>().returns.toEqualTypeOf<string>();
    expectTypeOf<EpisodeHandle['flush']>().returns.toEqualTypeOf<Promise<Step[]>>();
    expectTypeOf<EpisodeHandle['complete']>().returns.toEqualTypeOf<Promise<Episode>>();
    expectTypeOf<StepInput>().not.toHaveProperty('id');
  });
});
