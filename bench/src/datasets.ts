import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError } from './bench-error.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the development data sets live: `../shared/datasets/` next to the repository. They are
 * public data with their own licences and are never copied into the repository.
 */
export const datasetsDir = resolve(repositoryRoot, '..', 'shared', 'datasets');

/**
 * The absolute path of a data set folder or file, e.g. `tau-bench-airline/gpt-4o-airline.json`.
 * Throws a `DATASET_MISSING` error that says where the data was expected; the harness then
 * reports the benchmark as skipped instead of failing the others.
 */
export function datasetPath(relativePath: string): string {
  const path = resolve(datasetsDir, relativePath);
  if (!existsSync(path)) {
    throw new BenchError(
      'DATASET_MISSING',
      `Data set "${relativePath}" is absent: expected it at ${path} (the shared data sets folder is ${datasetsDir}).`,
    );
  }
  return path;
}
