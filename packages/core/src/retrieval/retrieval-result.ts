import type { RelevantPattern } from '../patterns/relevant-patterns.js';
import type { Episode } from '../types.js';

/** How the full-text signal ranked an episode. */
export interface TextEvidence {
  /** 1-based rank among the full-text candidates. */
  rank: number;
  /**
   * BM25 relevance of the whole episode to the query (higher is better). Comparable between the
   * results of one query only: the text share of the score is it over the best one in the answer,
   * so the best match of a query nothing in the store answers well still takes the full weight.
   */
  bm25: number;
  /** `step` when one of its steps also ranked among the query's best step matches (`stepNumber`), else `episode`. */
  matchedIn: 'episode' | 'step';
  stepNumber: number | null;
  /** That step's 1-based rank among the step matches; null when none of its steps ranked. */
  stepRank: number | null;
  /** The text signal's share of the score: `weights.text` × bm25 over the answer's best, plus `stepContribution`. */
  contribution: number;
  /** The part of `contribution` from the step (`weights.step` by `stepRank`); 0 without one. */
  stepContribution: number;
}

/** How the vector signal ranked an episode. */
export interface VectorEvidence {
  /** 1-based rank among the vector candidates. */
  rank: number;
  /** Cosine similarity of the best-matching vector with the query. */
  similarity: number;
  /** Which vector matched best: the whole episode, or one failed step's error. */
  matchedIn: 'episode' | 'step_error';
  stepNumber: number | null;
  contribution: number;
}

/** How one of the extra full-text rankings (expansion, proximity) ranked an episode. */
export interface RankEvidence {
  /** 1-based rank among that ranking's candidates. */
  rank: number;
  contribution: number;
}

/** Every signal's raw value and its share of the score: the score is the sum of the contributions. */
export interface RetrievalWhy {
  text: TextEvidence | null;
  vector: VectorEvidence | null;
  /** The query expanded with the best matches' words (see `expansion`); null when it did not rank it. */
  expansion: RankEvidence | null;
  /** Query words found close together (see `proximity`); null when none were. */
  proximity: RankEvidence | null;
  /** The episode falls within a date the query names (see `time`); null when it names none or the episode is outside. */
  time: { contribution: number } | null;
  recency: { ageDays: number; contribution: number };
  outcome: { successRate: number | null; contribution: number };
}

export interface RetrievedEpisode {
  episode: Episode;
  score: number;
  why: RetrievalWhy;
}

/** Whether a signal took part in this retrieval, and why not when it did not. */
export interface SignalStatus {
  used: boolean;
  reason: string | null;
}

export interface RetrievalResult {
  /** Best first. */
  episodes: RetrievedEpisode[];
  /**
   * The patterns mined in the task's domain (and task type) that are most relevant to its text,
   * ranked by relevance and evidence, each with its supporting episode ids (capped) and counts.
   */
  patterns: RelevantPattern[];
  signals: {
    /** `skipped`: the query's most common words, left out of full-text search (see `textBudgetRows`). */
    text: SignalStatus & { skipped: string[] };
    /**
     * `model` is the stamp (`provider/model/dimensions`) of the vectors searched;
     * `feedbackEpisodes` how many full-text matches moved the query vector (see `feedback`).
     */
    vector: SignalStatus & { model: string | null; feedbackEpisodes: number };
  };
}
