import type { EmbeddingProviderV1 } from '@episodic/plugin';

/**
 * A human-readable result, printed as an aligned table (first column: labels, left-aligned; the
 * others: figures, right-aligned), then the notes, one per line.
 */
export interface Table {
  title: string;
  columns: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<string | number>>;
  /** How the figures were measured, what the target is: anything a reader needs to trust them. */
  notes?: readonly string[];
}

/** A JSON value per key, mostly flat, so a CI job can compare figures without knowing the benchmark. */
export type FigureValue = number | string | boolean | null | { [key: string]: FigureValue };
export type Figures = Record<string, FigureValue>;

export interface BenchmarkReport {
  table: Table;
  /** Printed with `--json` as `{ "bench": name, ...figures }`. */
  figures: Figures;
}

export interface BenchmarkContext {
  /** From `--embeddings`: benchmarks that embed use it instead of their default provider. */
  embeddings?: EmbeddingProviderV1;
  /** A fresh directory under `os.tmpdir()`, removed when the benchmark ends, however it ends. */
  tempDir: string;
  /** Progress for a person watching. It goes to stderr, so stdout stays a table plus one JSON line. */
  progress(message: string): void;
}

/** One benchmark: a file in `src/benchmarks/`, listed in `src/registry.ts`. */
export interface Benchmark {
  /** What `pnpm bench <name>` selects; kebab-case, the same as the file name. */
  name: string;
  /** One line for the list printed by `--help` and on an unknown name. */
  description: string;
  run(context: BenchmarkContext): Promise<BenchmarkReport>;
}
