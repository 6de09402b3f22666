/**
 * The τ-bench airline tasks whose trajectories are the dev split: every other task of each task
 * type, by task id (so each type with two tasks or more is in both splits). Every mining threshold
 * and default is chosen on these; the other 23 tasks are the test split, reported beside them.
 */
export const tauDevTaskIds: ReadonlySet<number> = new Set([
  0, 1, 2, 4, 6, 9, 12, 13, 14, 16, 17, 19, 21, 22, 25, 26, 28, 29, 31, 34, 36, 39, 41, 43, 44, 46, 48,
]);

export type Split = 'dev' | 'test';

export function tauSplit(taskId: number): Split {
  return tauDevTaskIds.has(taskId) ? 'dev' : 'test';
}
