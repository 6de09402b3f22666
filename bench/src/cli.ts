import { BenchError } from './bench-error.js';
import type { Benchmark, BenchmarkContext, Figures } from './benchmark.js';
import { type EmbeddingsOption, loadEmbeddings } from './embeddings-option.js';
import { formatTable } from './format-table.js';
import { benchmarks } from './registry.js';
import { withTempDir } from './temp-dir.js';

interface Options {
  names: string[];
  json: boolean;
  help: boolean;
  embeddings?: EmbeddingsOption;
}

function parseArguments(argv: readonly string[]): Options {
  const options: Options = { names: [], json: false, help: false };
  let model: string | undefined;
  const value = (flag: string, next: string | undefined) => {
    if (next === undefined || next.startsWith('--')) throw new BenchError('USAGE', `${flag} needs a value.`);
    return next;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i] as string;
    // pnpm forwards a literal `--` when the user writes `pnpm bench -- ingest`.
    if (argument === '--') continue;
    else if (argument === '--json') options.json = true;
    else if (argument === '--embeddings') {
      options.embeddings = { module: value(argument, argv[i + 1]), options: {} };
      i += 1;
    } else if (argument === '--embeddings-model') {
      model = value(argument, argv[i + 1]);
      i += 1;
    } else if (argument === '--help' || argument === '-h') options.help = true;
    else if (argument.startsWith('-'))
      throw new BenchError('USAGE', `Unknown option ${argument}.\n\n${usage()}`);
    else options.names.push(argument);
  }
  if (model !== undefined) {
    if (options.embeddings === undefined)
      throw new BenchError('USAGE', '--embeddings-model needs --embeddings.');
    options.embeddings.options.model = model;
  }
  return options;
}

function catalogue(): string {
  const width = Math.max(...benchmarks.map((benchmark) => benchmark.name.length));
  return benchmarks
    .map((benchmark) => `  ${benchmark.name.padEnd(width)}  ${benchmark.description}`)
    .join('\n');
}

function usage(): string {
  return [
    'Usage: pnpm bench [name...] [--json] [--embeddings PACKAGE [--embeddings-model PATH]]',
    '',
    'Runs the named benchmarks (all of them without a name) and prints a table for each. With --json the',
    'last line of stdout is one JSON object: the benchmark\'s figures, or { "bench": "all", "results": [...] }',
    'when several ran. --embeddings replaces the default embedding provider in the benchmarks that embed',
    '(retrieval-quality): PACKAGE is imported and its default or create…Embeddings export called, with',
    '{ model: PATH } given --embeddings-model.',
    '',
    'Benchmarks:',
    catalogue(),
  ].join('\n');
}

function select(names: readonly string[]): Benchmark[] {
  if (names.length === 0) return [...benchmarks];
  return names.map((name) => {
    const benchmark = benchmarks.find((candidate) => candidate.name === name);
    if (benchmark === undefined) {
      throw new BenchError(
        'UNKNOWN_BENCHMARK',
        `Unknown benchmark "${name}". Known benchmarks:\n${catalogue()}`,
      );
    }
    return benchmark;
  });
}

const progress = (message: string) => process.stderr.write(`${message}\n`);

/** Runs one benchmark; a missing data set skips it with the reason instead of failing the rest. */
async function runOne(
  benchmark: Benchmark,
  shared: Pick<BenchmarkContext, 'embeddings'>,
): Promise<{ figures: Figures; skipped: boolean }> {
  try {
    const report = await withTempDir(benchmark.name, (tempDir) =>
      benchmark.run({ tempDir, progress, ...shared }),
    );
    process.stdout.write(`${formatTable(report.table)}\n\n`);
    return { figures: { bench: benchmark.name, ...report.figures }, skipped: false };
  } catch (error) {
    if (!(error instanceof BenchError && error.code === 'DATASET_MISSING')) throw error;
    process.stdout.write(`${benchmark.name}: skipped. ${error.message}\n\n`);
    return { figures: { bench: benchmark.name, skipped: error.message }, skipped: true };
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArguments(argv);
  if (options.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const selected = select(options.names);
  const shared =
    options.embeddings === undefined ? {} : { embeddings: await loadEmbeddings(options.embeddings) };
  const outcomes = [];
  for (const benchmark of selected) outcomes.push(await runOne(benchmark, shared));
  if (options.json) {
    const results = outcomes.map((outcome) => outcome.figures);
    const single = options.names.length === 1 ? results[0] : undefined;
    process.stdout.write(`${JSON.stringify(single ?? { bench: 'all', results })}\n`);
  }
  // Skipping is fine in a run of everything, but a benchmark asked for by name must really run.
  return options.names.length > 0 && outcomes.some((outcome) => outcome.skipped) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      error instanceof BenchError ? `${error.message}\n` : `${String((error as Error).stack ?? error)}\n`,
    );
    process.exitCode = 1;
  },
);
