import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'embeddings-local',
    include: ['src/**/*.test.ts'],
  },
});
