import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-plugin-miner',
    include: ['src/**/*.test.ts'],
  },
});
