import { seedTaskTypes } from '@episodic/core';
import { SeededRandom } from './random.js';

/** One episode as raw column values, for batched INSERTs. */
export interface RawEpisode {
  taskType: string;
  domain: string;
  context: string;
  createdAt: string;
  steps: { action: string; result: string; success: boolean; durationMs: number }[];
}

const syllables = [
  'ka',
  'lo',
  'mi',
  'ren',
  'to',
  'sha',
  'vel',
  'qui',
  'dor',
  'pan',
  'zu',
  'eth',
  'mar',
  'nix',
  'bo',
  'tri',
];
const tools = [
  'read_file',
  'edit_file',
  'run_tests',
  'search_code',
  'run_command',
  'http_request',
  'query_db',
  'open_pr',
];
const domains = Array.from({ length: 20 }, (_, i) => `service-${i}`);

/**
 * Synthetic agent episodes whose words follow a Zipf-like law over a large vocabulary, as real
 * text does: a few words are everywhere, most are rare. (A workload drawn from a handful of
 * templates would make every query word match most episodes, which no real store looks like.)
 */
export class VariedEpisodes {
  readonly #random: SeededRandom;
  readonly #vocabulary: string[];

  constructor(seed = 20_261_127, vocabularySize = 40_000) {
    this.#random = new SeededRandom(seed);
    const words = new Set<string>();
    while (words.size < vocabularySize) {
      const length = this.#random.int(2, 4);
      words.add(Array.from({ length }, () => this.#random.pick(syllables)).join(''));
    }
    this.#vocabulary = [...words];
  }

  /** Rank r is drawn with probability about proportional to 1/r. */
  word(): string {
    const rank = Math.floor(Math.exp(this.#random.next() * Math.log(this.#vocabulary.length)));
    return this.#vocabulary[rank - 1] as string;
  }

  sentence(min: number, max: number): string {
    return Array.from({ length: this.#random.int(min, max) }, () => this.word()).join(' ');
  }

  /** An episode of `steps` steps, about one in eight failed, created within the year before `now`. */
  episode(steps: number, now: number): RawEpisode {
    const random = this.#random;
    return {
      taskType: random.pick(seedTaskTypes),
      domain: random.pick(domains),
      context: this.sentence(8, 16),
      createdAt: new Date(now - random.next() * 365 * 86_400_000).toISOString(),
      steps: Array.from({ length: steps }, () => {
        const success = !random.chance(0.12);
        const result = success
          ? this.sentence(10, 25)
          : `Error: ${this.sentence(6, 14)} at ${this.word()}.ts:${random.int(1, 400)}`;
        return {
          action: `${random.pick(tools)} ${this.word()}`,
          result,
          success,
          durationMs: random.int(5, 9000),
        };
      }),
    };
  }

  /** A task description like an agent would retrieve with. */
  query(): string {
    return this.sentence(6, 12);
  }
}
