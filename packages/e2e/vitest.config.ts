import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'e2e',
    include: ['test/**/*.test.ts'],
    // Child processes, npm and pnpm on a loaded 2-core machine: generous, never tight.
    testTimeout: 240_000,
    // The install test packs and runs two npm installs before its first test.
    hookTimeout: 420_000,
  },
});
