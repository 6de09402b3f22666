import { withinDeadline } from '@episodic/core';
import { say } from '../say.js';
import { describeError } from '../tools/tool-answer.js';
import type { AgentMemory } from './agent-memory.js';

/** Longest wait for the archiving at a session's end: a server that does not answer must not keep a shutdown waiting. */
const archiveWithinMs = 10_000;

/**
 * The episodes one MCP session started and has not completed. An agent that crashes, is
 * interrupted or simply stops never completes its episode, and nothing else would: it would stay
 * `active` for good, shown to every later agent as "still in progress" and never learned from.
 * When the session ends, those episodes are archived (ended with no outcome), as the AI SDK
 * integration does with a run that never reports one.
 */
export class SessionEpisodes {
  readonly #open = new Set<string>();

  constructor(private readonly memory: AgentMemory) {}

  /** Before the start is sent: a start whose answer is lost may still have made the episode. */
  starting(episodeId: string): void {
    this.#open.add(episodeId);
  }

  completed(episodeId: string): void {
    this.#open.delete(episodeId);
  }

  /**
   * Archives the episodes still open, within `archiveWithinMs`, and says on stderr which. Only
   * one still `active` is archived: another session may have completed it meanwhile, and
   * archiving a completed episode would take it out of recall.
   */
  async end(): Promise<void> {
    const ids = [...this.#open];
    this.#open.clear();
    if (ids.length === 0) return;
    const archived: string[] = [];
    const work = Promise.all(
      ids.map(async (id) => {
        try {
          if ((await this.memory.episodes.get(id))?.status !== 'active') return;
          await this.memory.episodes.archive(id);
          archived.push(id);
        } catch (error) {
          say(`could not archive episode ${id}, left open by its session: ${describeError(error)}`);
        }
      }),
    );
    try {
      await withinDeadline(() => work, {
        timeoutMs: archiveWithinMs,
        what: 'archiving',
        setting: 'a bound of the session end',
      });
    } catch {
      // Only the deadline: every archive's own failure was said above.
      say(`gave up archiving the episodes left open after ${archiveWithinMs / 1000} s`);
    }
    if (archived.length > 0)
      say(
        `archived ${archived.length} episode${archived.length === 1 ? '' : 's'} the session started and did not complete: ${archived.join(', ')}`,
      );
  }
}
