import type { EmbeddingProviderV1 } from '@episodic/plugin';
import type { InStatement } from '@libsql/client';
import { newId } from '../ids.js';
import { nowIso } from '../schemas/timestamp.js';
import type { EpisodeWithAllSteps } from '../types.js';
import { type EmbedDeadline, embedTexts } from './embed-texts.js';
import { embeddingStamp } from './embedding-stamp.js';
import { episodeEmbeddingText, failedSteps, stepErrorEmbeddingText } from './embedding-text.js';
import { encodeVector } from './vector-codec.js';
import type { EmbeddingKind } from './vector-rows.js';

interface EmbeddingRow {
  episodeId: string;
  kind: EmbeddingKind;
  stepId: string | null;
  content: string;
  vector: Float32Array;
}

/**
 * Embeds finished episodes: one vector for each episode as a whole, and one for each failed
 * step's error on its own (so a repeat of the error finds the step even in a long episode).
 * All texts of all episodes go to the provider together, in batches of its `maxBatchSize`.
 */
export async function embedEpisodes(
  provider: EmbeddingProviderV1,
  episodes: readonly EpisodeWithAllSteps[],
  signal: AbortSignal | undefined,
  deadline: EmbedDeadline,
): Promise<EmbeddingRow[]> {
  const rows: Omit<EmbeddingRow, 'vector'>[] = episodes.flatMap((episode) => [
    { episodeId: episode.id, kind: 'episode' as const, stepId: null, content: episodeEmbeddingText(episode) },
    ...failedSteps(episode).map((step) => ({
      episodeId: episode.id,
      kind: 'step_error' as const,
      stepId: step.id,
      content: stepErrorEmbeddingText(step),
    })),
  ]);
  const vectors = await embedTexts(
    provider,
    rows.map((row) => row.content),
    signal,
    deadline,
  );
  return rows.map((row, index) => ({ ...row, vector: vectors[index] as Float32Array }));
}

/**
 * Statements that replace the stored vectors of `episodeIds` with `rows` and stamp the
 * episodes, to run in one transaction: an episode is either fully embedded with the new stamp
 * or left as it was, which is what makes an interrupted reindex safe to resume.
 */
export function replaceEmbeddingsStatements(
  provider: EmbeddingProviderV1,
  episodeIds: readonly string[],
  rows: readonly EmbeddingRow[],
): InStatement[] {
  const stamp = embeddingStamp(provider);
  const createdAt = nowIso();
  const ids = episodeIds.map(() => '?').join(', ');
  return [
    { sql: `DELETE FROM embeddings WHERE episode_id IN (${ids})`, args: [...episodeIds] },
    ...rows.map((row) => ({
      sql: `INSERT INTO embeddings (id, episode_id, content, embedding, model_name, created_at, kind, step_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        newId(),
        row.episodeId,
        row.content,
        encodeVector(row.vector),
        stamp,
        createdAt,
        row.kind,
        row.stepId,
      ],
    })),
    { sql: `UPDATE episodes SET embedding_version = ? WHERE id IN (${ids})`, args: [stamp, ...episodeIds] },
  ];
}
