/** Whether the store answered that it refuses this input (a bad field), not that it is unreachable. */
export function refused(error: unknown): boolean {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: { code?: unknown } | null };
  return code === 'VALIDATION' || data?.code === 'BAD_REQUEST';
}

/** No answer came (a connection refused, reset or cut), so the write may or may not have run. */
function unanswered(error: unknown): boolean {
  const { data, cause } = (error ?? {}) as { data?: unknown; cause?: unknown };
  if (data !== undefined) return false;
  // `@episodic/sdk` names it with its cause's code; its earlier versions gave fetch's own
  // `TypeError` as the cause, and this package depends on no version of it.
  const code = (cause as { code?: unknown } | null | undefined)?.code;
  return code === 'CONNECTION_LOST' || code === 'UNREACHABLE' || cause instanceof TypeError;
}

/** The store answered that the episode is already completed. */
function conflict(error: unknown): boolean {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: { code?: unknown } | null };
  return code === 'CONFLICT' || data?.code === 'CONFLICT';
}

/**
 * Ends an episode, sending `end` once more when its connection closed before any answer (the SDK
 * replays neither a completion nor an archive: the first try may have run). A conflict then means
 * the first one was done and only its answer lost: a run is the only writer of its episode's end.
 */
export async function endOnce(end: () => Promise<unknown>): Promise<void> {
  try {
    await end();
  } catch (error) {
    if (!unanswered(error)) throw error;
    await end().catch((again: unknown) => {
      if (!conflict(again)) throw again;
    });
  }
}
