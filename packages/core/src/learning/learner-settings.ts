import type { Logger } from '../logger.js';
import type { LearnerClaim, LiveClaim } from './learner-presence.js';

/** An older process that runs a learner with other settings, which this process leaves it to. */
export interface LeftTo {
  process: string;
  settings: string;
}

/**
 * Keeps one learner's rows learned with one set of settings. Two processes that run a learner
 * with different settings (a worker started without the server's plugins: all miners share the
 * one `mining` learner) would each mark the episodes they take as learned, and what the other
 * would have learned from them is lost without a word. So while the process with the oldest
 * live claim runs a learner with other settings than this one's, this one leaves the learner to
 * it (and takes over when it leaves); both say so in their logs, once. The oldest also records
 * its settings on the store, and says when they differ from what the learner last ran with.
 * Learners without settings, and claims of processes older than 1.25.0 (which say none), are
 * never left.
 */
export function createSettingsWatch(
  owner: string,
  logger: Logger,
  record: (learner: string, settings: string) => Promise<void>,
) {
  const leftTo = new Map<string, LeftTo>();
  /** `learner process` pairs this process, as the oldest, has already said it is left. */
  const told = new Set<string>();

  function takeStock(name: string, settings: string, live: readonly LiveClaim[]): Promise<void> | null {
    const oldest = live[0];
    if (oldest === undefined) return null;
    const differs = (claim: LiveClaim) => claim.settings !== null && claim.settings !== settings;
    const before = leftTo.get(name);
    if (oldest.process !== owner && differs(oldest)) {
      const now = { process: oldest.process, settings: oldest.settings as string };
      leftTo.set(name, now);
      if (before?.process !== now.process)
        logger.warn(
          `episodic: ${name} is left to ${now.process}, which has run it longer, with other settings ` +
            `(${now.settings}; this process: ${settings}): rows learned with two settings would each miss what ` +
            'the other learns. Give every process on the store the same settings (for mining: the same ' +
            '--miners and plugins); this process takes over when that one leaves.',
        );
      return null;
    }
    leftTo.delete(name);
    if (before !== undefined)
      logger.warn(`episodic: ${name} runs here again (${settings}): ${before.process} left it`);
    if (oldest.process !== owner) return null;
    for (const claim of live) {
      const pair = `${name} ${claim.process}`;
      if (claim.process === owner || !differs(claim) || told.has(pair)) continue;
      told.add(pair);
      logger.warn(
        `episodic: ${claim.process} has ${name} with other settings (${claim.settings}; this process: ` +
          `${settings}) and leaves it to this one. Give every process on the store the same settings.`,
      );
    }
    if (oldest.recorded === settings) return null;
    if (oldest.recorded !== null)
      logger.warn(
        `episodic: ${name} last ran on this store with other settings (${oldest.recorded}); it runs with ` +
          `${settings} now. What it learned before stays as it was learned (for mining: \`episodic remine\` ` +
          'mines every episode again with the miners set now).',
      );
    return record(name, settings);
  }

  return {
    /** The older process this one leaves `learner` to, or `null` when it runs it (if it has it). */
    leftTo: (learner: string): LeftTo | null => leftTo.get(learner) ?? null,

    /** Takes stock of a renewal's live claims (`LearnerPresence.renew`) for this process's learners. */
    async apply(mine: readonly LearnerClaim[], live: readonly LiveClaim[]): Promise<void> {
      for (const { name, settings } of mine) {
        if (settings === null) continue;
        await takeStock(
          name,
          settings,
          live.filter((claim) => claim.learner === name),
        );
      }
    },
  };
}
