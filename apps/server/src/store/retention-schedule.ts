import type { Memory, RetentionPolicy } from '@episodic/core';

/** The audit log's actor for retention applied by the server's own schedule. */
export const retentionActor = 'retention';

export interface RetentionSchedule {
  /** Stops the timer and waits for a pass in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Applies the retention policies now and then every `intervalMs`, one pass at a time. The timer
 * is unref'd: it never keeps a process alive. A failed pass is logged and the next one retried.
 */
export function scheduleRetention(
  memory: Memory,
  policies: Record<string, RetentionPolicy>,
  intervalMs: number,
  log: (line: string) => void,
): RetentionSchedule {
  let running: Promise<void> | null = null;
  const pass = () => {
    running ??= memory.admin
      .retention(policies, { actor: retentionActor })
      .then(
        (report) => {
          const total = (counts: Record<string, number>) =>
            Object.values(counts).reduce((sum, n) => sum + n, 0);
          const archived = total(report.archived);
          const deleted = total(report.deleted);
          if (archived + deleted > 0) log(`retention: archived ${archived} and deleted ${deleted} episodes`);
          if (report.auditPruned > 0) log(`retention: pruned ${report.auditPruned} audit entries`);
        },
        (error: unknown) =>
          log(`retention: pass failed, will retry: ${(error as Error)?.message ?? String(error)}`),
      )
      .finally(() => {
        running = null;
      });
  };
  pass();
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
