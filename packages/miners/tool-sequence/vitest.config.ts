import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'miner-tool-sequence',
    include: ['src/**/*.test.ts'],
  },
});
