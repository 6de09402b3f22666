export type { HeldEmbeddings } from './held-embeddings.js';
export { heldEmbeddings } from './held-embeddings.js';
export {
  hostileJson,
  hostileNumber,
  hostileString,
  mostly,
  plausibleMetadata,
  plausibleText,
} from './hostile-input.js';
export type { SmallDisk } from './small-disk.js';
export { mountSmallDisk } from './small-disk.js';
