import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'mcp',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Child processes on a loaded 2-core machine: room before calling a test hung.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
