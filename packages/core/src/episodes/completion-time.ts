import { nowIso } from '../schemas/timestamp.js';

/**
 * The SQL that sets `completed_at`: the caller's `completedAt`, allowed only when the episode
 * began no later (`condition`; else `refusal` says why); by default now, or the start when a
 * client's clock set that a little ahead of this one (`clockSkewMs`): never an end before the start.
 */
export function completionTime(completedAt: string | undefined) {
  return completedAt === undefined
    ? { sql: 'MAX(?, created_at)', args: [nowIso()], condition: '1', conditionArgs: [] as string[] }
    : { sql: '?', args: [completedAt], condition: 'created_at <= ?', conditionArgs: [completedAt] };
}
