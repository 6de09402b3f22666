import { maxRecordsPerCall, type RecordEpisodesInput, type RecordedEpisode } from '@episodic/core';
import type { TracePart } from './trace-episodes.js';

export interface RecordedCalls {
  /** Steps not stored because their episode had already finished. */
  lateSteps: number;
  /** Root spans whose outcome was not stored: their episode had already ended otherwise. */
  lateOutcomes: number;
  /**
   * The call refused after earlier ones were stored: its error, the index of its first record, and
   * the spans of it and of the calls after it, none of them stored.
   */
  refused: { error: unknown; from: number; spans: number } | null;
}

/**
 * Records `parts` in calls of at most `maxRecordsPerCall`, each its own transaction, in order, and
 * stops at the first call refused. A request's steps fit one call (`maxSpansPerRequest`); its
 * records may not. A refused first call is thrown (nothing was stored); a later one is returned
 * with what it leaves unstored, since the calls before it stay stored. Sending the whole request
 * again stores nothing twice: ids are derived from the traces and spans, and `record` answers a
 * step it holds as stored and leaves a finished episode as it is.
 */
export async function recordInCalls(
  record: (records: RecordEpisodesInput) => Promise<RecordedEpisode[]>,
  parts: readonly TracePart[],
): Promise<RecordedCalls> {
  let lateSteps = 0;
  let lateOutcomes = 0;
  for (let from = 0; from < parts.length; from += maxRecordsPerCall) {
    try {
      const recorded = await record(parts.slice(from, from + maxRecordsPerCall).map((part) => part.record));
      lateSteps += recorded.reduce((sum, entry) => sum + entry.lateSteps, 0);
      lateOutcomes += recorded.filter((entry) => entry.lateOutcome).length;
    } catch (error) {
      if (from === 0) throw error;
      const spans = parts.slice(from).reduce((sum, part) => sum + part.spans, 0);
      return { lateSteps, lateOutcomes, refused: { error, from, spans } };
    }
  }
  return { lateSteps, lateOutcomes, refused: null };
}
