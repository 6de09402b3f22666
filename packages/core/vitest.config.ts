import { defineProject } from 'vitest/config';

// `vitest run --mode no-cache` runs the suite with stores that have no LMDB cache, and
// `--mode client-driver` with local stores on `@libsql/client` instead of the native driver (see
// `openTempMemory`); the project name says which run a result line belongs to.
export default defineProject(({ mode }) => {
  const cache = mode !== 'no-cache' && process.env.EPISODIC_TEST_CACHE !== 'off';
  const driver =
    mode === 'client-driver' || process.env.EPISODIC_TEST_DRIVER === 'client' ? 'client' : 'native';
  return {
    test: {
      name: `core (${cache ? 'cache' : 'no cache'}${driver === 'client' ? ', @libsql/client' : ''})`,
      include: ['src/**/*.test.ts'],
      // Child processes, worker threads and LMDB: leave a loaded 2-core machine (CI, or two suites at
      // once) room before calling a test hung. A passing test takes what it takes either way.
      testTimeout: 60_000,
      hookTimeout: 60_000,
      env: { EPISODIC_TEST_CACHE: cache ? 'on' : 'off', EPISODIC_TEST_DRIVER: driver },
    },
  };
});
