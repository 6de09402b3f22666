import { createHash } from 'node:crypto';
import { canonicalJson } from '@episodic/plugin';

/** What makes two patterns the same pattern. */
export interface PatternIdentity {
  patternType: string;
  domain: string;
  /** Set for patterns mined per task type, `null` for domain-wide ones. */
  taskType: string | null;
  data: unknown;
}

/**
 * A pattern's id: the first 128 bits of a SHA-256 over its type, domain, task type and
 * canonical data, in hex. The same pattern found again gets the same id, so evidence accumulates
 * in one row; 128 bits make an accidental collision negligible at any realistic store size.
 */
export function patternId(identity: PatternIdentity): string {
  const text = canonicalJson([identity.patternType, identity.domain, identity.taskType, identity.data]);
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
