/**
 * How many episode → domain pairs to remember at most: enough for the episodes agents are working
 * on. A finished episode takes no more steps and is forgotten at once; this bounds the ones left
 * active and never finished.
 */
const capacity = 10_000;

/**
 * Which domain an active episode belongs to, for the episodes this server has seen lately. A
 * `steps` event must name its domain, and `logSteps` does not return it; this saves a read per call.
 * An id may name another episode later (forgotten, then recorded again with `episodes.record`):
 * both drop or replace its pair, since a stale one would send a domain's steps to another's subscribers.
 */
export class EpisodeDomains {
  readonly #domains = new Map<string, string>();

  /** Pairs held. */
  get size(): number {
    return this.#domains.size;
  }

  get(episodeId: string): string | undefined {
    const domain = this.#domains.get(episodeId);
    if (domain !== undefined) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.#domains.delete(episodeId);
      this.#domains.set(episodeId, domain);
    }
    return domain;
  }

  remember(episodeId: string, domain: string): void {
    this.#domains.delete(episodeId);
    this.#domains.set(episodeId, domain);
    if (this.#domains.size > capacity) {
      const oldest = this.#domains.keys().next().value;
      if (oldest !== undefined) this.#domains.delete(oldest);
    }
  }

  /** Drops an episode that takes no more steps (completed, archived, forgotten). */
  forget(episodeId: string): void {
    this.#domains.delete(episodeId);
  }
}
