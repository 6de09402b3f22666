/**
 * - `USAGE`: the command line asked for something the harness does not understand.
 * - `UNKNOWN_BENCHMARK`: a name that is not in the registry.
 * - `DATASET_MISSING`: a benchmark's data set is not under `../shared/datasets/`; the benchmark is skipped.
 * - `FAILED`: something the benchmark runs (a server, a build) did not start.
 */
export type BenchErrorCode = 'USAGE' | 'UNKNOWN_BENCHMARK' | 'DATASET_MISSING' | 'FAILED';

/** The only error the harness throws on purpose; its message is shown to the user as is. */
export class BenchError extends Error {
  readonly code: BenchErrorCode;

  constructor(code: BenchErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BenchError';
    this.code = code;
  }
}
