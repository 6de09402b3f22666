export {
  hostileJson,
  hostileNumber,
  hostileString,
  mostly,
  plausibleMetadata,
  plausibleText,
} from './hostile-input.js';
