import { createLetterEmbeddings } from './__fixtures__/letter-embeddings.js';
import { testEmbeddingProvider } from './embedding-provider-suite.js';

testEmbeddingProvider(createLetterEmbeddings, { name: 'letter counts' });
