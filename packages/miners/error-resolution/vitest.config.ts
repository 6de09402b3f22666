import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'miner-error-resolution',
    include: ['src/**/*.test.ts'],
  },
});
