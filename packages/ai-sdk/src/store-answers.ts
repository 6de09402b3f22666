/** Whether the store answered that it refuses this input (a bad field), not that it is unreachable. */
export function refused(error: unknown): boolean {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: { code?: unknown } | null };
  return code === 'VALIDATION' || data?.code === 'BAD_REQUEST';
}
