import { writeFileSync } from 'node:fs';
import { assembleSimilarityKernel, kernelBytesModule, kernelBytesPath } from './similarity-kernel-source.js';

const bytes = await assembleSimilarityKernel();
writeFileSync(kernelBytesPath, kernelBytesModule(bytes));
console.log(`wrote ${kernelBytesPath} (${bytes.length} bytes of WebAssembly)`);
