import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    // A loaded CI machine (2 cores, several suites at once) runs these several times slower.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    name: 'embeddings-static',
    include: ['src/**/*.test.ts'],
  },
});
