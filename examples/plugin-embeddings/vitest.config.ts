import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    // A loaded CI machine (2 cores, several suites at once) runs these several times slower.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    name: 'example-plugin-embeddings',
    include: ['src/**/*.test.ts'],
  },
});
