import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'embeddings-static',
    include: ['src/**/*.test.ts'],
  },
});
