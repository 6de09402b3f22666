// Generated from similarity-kernel.wat by scripts/build-similarity-kernel.ts; do not edit.
// `pnpm --filter @episodic/core build:kernel` regenerates it, and a test checks it is current.
export const similarityKernelBase64 =
  'AGFzbQEAAAABCgFgBn9/f39/fwADAgEABQMBAAEHEgIGbWVtb3J5AgAFZG90STgAAAr/AQH8AQIDfwZ7IAIgA0ECdGohBgJAA0AgAiAGTw0BIAAgAigCACAEbGohB/0MAAAAAAAAAAAAAAAAAAAAACEJ/QwAAAAAAAAAAAAAAAAAAAAAIQpBACEIA0AgByAIav0ABAAhCyABIAhq/QAEACEMIAcgCGr9AAQQIQ0gASAIav0ABBAhDiAJIAsgDP2cASANIA79nAH9jgH9fv2uASEJIAogCyAM/Z0BIA0gDv2dAf2OAf1+/a4BIQogCEEgaiEIIAggBEkNAAsgCSAK/a4BIQkgBSAJ/RsAIAn9GwFqIAn9GwIgCf0bA2pqNgIAIAVBBGohBSACQQRqIQIMAAsLCw==';
