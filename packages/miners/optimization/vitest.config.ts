import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'miner-optimization',
    include: ['src/**/*.test.ts'],
  },
});
