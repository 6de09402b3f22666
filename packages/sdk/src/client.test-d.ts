import type { Memory } from '@episodic/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AuditEntry,
  createEpisodicClient,
  type Episode,
  type EpisodeEvent,
  type EpisodeHandle,
  type EpisodeWithSteps,
  type ForgetSelector,
  type Pattern,
  type RelevantPattern,
  type RemoteCallOptions,
  type RemoteMemory,
  type RetrievalResult,
  type RetrievedEpisode,
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
  stepCount: number;
  nextStepsCursor: string | null;
}

describe('inferred types', () => {
  it('pins procedure inputs', () => {
    expectTypeOf(client.episodes.start.mutate).parameter(0).toEqualTypeOf<{
      id?: string | undefined;
      taskType: string;
      domain: string;
      context?: string | undefined;
      metadata?: unknown;
      createdAt?: string | Date | undefined;
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
      completedAt?: string | Date | undefined;
    }>();
    expectTypeOf(client.episodes.get.query).parameter(0).toEqualTypeOf<{ episodeId: string }>();
    expectTypeOf(client.episodes.steps.query).parameter(0).toEqualTypeOf<{
      episodeId: string;
      cursor?: string | undefined;
      fromStep?: number | undefined;
      limit?: number | undefined;
    }>();
    expectTypeOf(client.search.text.query)
      .parameter(0)
      .toMatchTypeOf<{ text: string; limit?: number | undefined }>();
    expectTypeOf(client.events.onEpisode.subscribe)
      .parameter(0)
      // biome-ignore lint/suspicious/noConfusingVoidType: tRPC types an optional input as `void | T`
      .toEqualTypeOf<void | { domains?: string[] | undefined } | undefined>();

    // @ts-expect-error a domain is required
    void client.episodes.start.mutate({ taskType: 'debugging' });
    // @ts-expect-error the status is the seed's outcome, nothing else
    void client.episodes.complete.mutate({ episodeId: 'x', status: 'done' });
  });

  it('pins procedure outputs', () => {
    expectTypeOf<Episode>().toEqualTypeOf<ExpectedEpisode>();
    expectTypeOf<Step>().toEqualTypeOf<ExpectedStep>();
    expectTypeOf<EpisodeWithSteps>().toEqualTypeOf<ExpectedEpisodeWithSteps>();
    expectTypeOf<RouterOutputs['episodes']['list']>().toEqualTypeOf<{
      items: ExpectedEpisode[];
      nextCursor: string | null;
    }>();
    expectTypeOf<RouterOutputs['episodes']['steps']>().toEqualTypeOf<{
      items: ExpectedStep[];
      nextCursor: string | null;
    }>();
    expectTypeOf<RouterOutputs['search']['text'][number]['matches'][number]>().toEqualTypeOf<{
      source: 'episode' | 'step';
      stepNumber: number | null;
      snippet: string;
      score: number;
    }>();
    expectTypeOf<RouterOutputs['patterns']['get']['successRate']>().toEqualTypeOf<number>();
    expectTypeOf<
      RouterOutputs['admin']['stats']['cache']['keyspaces']['episode']['hitRate']
    >().toEqualTypeOf<number>();
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

  it('pins retrieval, pattern feedback and the governance procedures', () => {
    expectTypeOf(client.search.retrieve.query).parameter(0).toEqualTypeOf<{
      text: string;
      domain?: string | undefined;
      status?: 'active' | 'archived' | 'completed' | 'failed' | undefined;
      taskType?: string | undefined;
      since?: string | Date | undefined;
      until?: string | Date | undefined;
      at?: string | Date | undefined;
      limit?: number | undefined;
      patterns?: number | undefined;
      exclude?: string[] | undefined;
    }>();
    expectTypeOf<RetrievalResult['patterns'][number]['episodeIds']>().toEqualTypeOf<string[]>();
    expectTypeOf<RetrievedEpisode['episode']>().toEqualTypeOf<ExpectedEpisode>();
    expectTypeOf<RetrievedEpisode['score']>().toEqualTypeOf<number>();
    expectTypeOf<RetrievedEpisode['why']['text']>().toEqualTypeOf<{
      rank: number;
      bm25: number;
      matchedIn: 'episode' | 'step';
      stepNumber: number | null;
      stepRank: number | null;
      contribution: number;
      stepContribution: number;
    } | null>();
    expectTypeOf<RetrievedEpisode['why']['vector']>().toMatchTypeOf<{
      similarity: number;
      contribution: number;
    } | null>();
    expectTypeOf<RetrievedEpisode['why']['recency']>().toEqualTypeOf<{
      ageDays: number;
      contribution: number;
    }>();
    expectTypeOf<RouterOutputs['search']['retrieve']['signals']['vector']['model']>().toEqualTypeOf<
      string | null
    >();

    expectTypeOf(client.patterns.recordUsage.mutate)
      .parameter(0)
      .toEqualTypeOf<{ patternId: string; episodeId: string; helped: boolean }>();
    expectTypeOf<RouterOutputs['patterns']['recordUsage']>().toEqualTypeOf<Pattern>();
    expectTypeOf<Pattern>().toMatchTypeOf<{
      id: string;
      patternType: string;
      domain: string | null;
      support: number | null;
      usageCount: number;
      helpedCount: number;
      score: number;
    }>();
    expectTypeOf(client.patterns.relevant.query)
      .parameter(0)
      .toMatchTypeOf<{ text?: string | undefined; minSupport?: number | undefined }>();
    expectTypeOf<RelevantPattern>().toEqualTypeOf<{
      pattern: Pattern;
      score: number;
      why: { evidence: number; text: number; taskType: number };
      episodeIds: string[];
      lift: number | null;
      liftLower: number | null;
    }>();

    expectTypeOf(client.admin.audit.query).parameter(0).toEqualTypeOf<{
      since?: string | undefined;
      until?: string | undefined;
      actor?: string | undefined;
      operation?: 'create' | 'update' | 'delete' | 'read' | 'search' | 'export' | 'admin' | undefined;
      outcome?: 'ok' | 'denied' | 'error' | undefined;
      afterSeq?: number | undefined;
      limit?: number | undefined;
    }>();
    expectTypeOf<AuditEntry>().toEqualTypeOf<{
      seq: number;
      at: string;
      actor: string;
      operation: 'create' | 'update' | 'delete' | 'read' | 'search' | 'export' | 'admin';
      entityType: string;
      entityId: string | null;
      domain: string | null;
      outcome: 'ok' | 'denied' | 'error';
      count: number;
    }>();
    expectTypeOf<ForgetSelector>().toEqualTypeOf<
      | { episodeIds: string[] }
      | { domain: string; createdBefore?: string | undefined }
      | { metadata: Record<string, string | number | boolean | null> }
    >();
    expectTypeOf<RouterOutputs['admin']['forget']>().toEqualTypeOf<{
      episodeIds: string[];
      domains: string[];
      patternsRemoved: number;
      unreachedCopies: string[];
      purge: 'done' | 'pending';
    }>();

    // @ts-expect-error helped is a verdict, not a score
    void client.patterns.recordUsage.mutate({ patternId: 'p', episodeId: 'e', helped: 0.5 });
    // @ts-expect-error a selector must name what to forget
    void client.admin.forget.mutate({});
  });

  it('pins the learning failures and episodes.record', () => {
    expectTypeOf(client.learning.retryFailed.mutate).returns.resolves.toEqualTypeOf<number>();
    expectTypeOf(client.learning.retire.mutate).returns.resolves.toEqualTypeOf<{
      learner: string;
      pending: number;
      failed: number;
      registered: boolean;
    }>();
    // @ts-expect-error retire names the learner
    void client.learning.retire.mutate({});
    expectTypeOf<RouterOutputs['learning']['status']['learners'][string]['lastFailure']>().toEqualTypeOf<{
      episodeId: string;
      error: string;
      failedAt: string;
    } | null>();
    expectTypeOf<RouterOutputs['episodes']['record'][number]['lateSteps']>().toEqualTypeOf<number>();
    expectTypeOf<RouterOutputs['episodes']['record'][number]['lateOutcome']>().toEqualTypeOf<boolean>();
    // @ts-expect-error records need their client-chosen id
    void client.episodes.record.mutate([{ taskType: 'debugging', domain: 'web' }]);
  });

  it('takes a signal on RemoteMemory calls, and an embedded Memory is still a RemoteMemory', () => {
    expectTypeOf<RemoteMemory['search']['retrieve']>()
      .parameter(1)
      .toEqualTypeOf<RemoteCallOptions | undefined>();
    expectTypeOf<RemoteMemory['episodes']['steps']>()
      .parameter(2)
      .toEqualTypeOf<RemoteCallOptions | undefined>();
    expectTypeOf<RemoteMemory['learning']['status']>()
      .parameter(0)
      .toEqualTypeOf<RemoteCallOptions | undefined>();
    // Code written against RemoteMemory (the MCP server's tools) runs on either: the engine's
    // CallOptions declare `signal` too.
    expectTypeOf<Memory>().toExtend<RemoteMemory>();
  });
});
