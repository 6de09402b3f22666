import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'embeddings-openai',
    include: ['src/**/*.test.ts'],
  },
});
