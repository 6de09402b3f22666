import { z } from 'zod';
import { timestampTextSchema } from '../schemas/timestamp.js';

export const auditOperations = ['create', 'update', 'delete', 'read', 'search', 'export', 'admin'] as const;
export type AuditOperation = (typeof auditOperations)[number];
export const auditOutcomes = ['ok', 'denied', 'error'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/** Who did it: a token id, or `local` for a caller in the same process (the CLI, a library user). */
export const localActor = 'local';

/** One data operation, as the audit log records it: what and by whom, never the content. */
export interface AuditEvent {
  actor: string;
  operation: AuditOperation;
  /** `episode`, `steps`, `pattern`, `token`, `database`… */
  entityType: string;
  entityId?: string | null | undefined;
  domain?: string | null | undefined;
  outcome: AuditOutcome;
}

export interface AuditEntry extends Required<Omit<AuditEvent, 'entityId' | 'domain'>> {
  seq: number;
  at: string;
  entityId: string | null;
  domain: string | null;
  /** How many operations the entry stands for: 1, or more for reads counted per minute. */
  count: number;
}

export const auditQuerySchema = z.strictObject({
  // In the years 0000–9999 once in UTC: a bound past them compared below every stored time.
  since: timestampTextSchema.optional(),
  until: timestampTextSchema.optional(),
  actor: z.string().min(1).max(128).optional(),
  operation: z.enum(auditOperations).optional(),
  outcome: z.enum(auditOutcomes).optional(),
  /** Entries after this sequence number (for paging forward). */
  afterSeq: z.number().int().nonnegative().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type AuditQuery = z.input<typeof auditQuerySchema>;
