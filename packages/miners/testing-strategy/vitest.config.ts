import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'miner-testing-strategy',
    include: ['src/**/*.test.ts'],
  },
});
