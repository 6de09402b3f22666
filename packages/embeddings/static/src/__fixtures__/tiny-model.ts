import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { type StaticModelSpec, writeStaticModel } from '../testing/write-static-model.js';

/** A BERT-uncased WordPiece vocabulary of 34 tokens, with potion-base-8M's special token ids. */
export const tinyVocab = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'the',
  'build',
  'fail',
  '##s',
  '##ed',
  'on',
  'a',
  'missing',
  'env',
  'var',
  'cafe',
  '.',
  '!',
  'un',
  '##believ',
  '##able',
  '東',
  'database',
  'migration',
  'login',
  'test',
  'flaky',
  'password',
  'reset',
  'users',
  'cannot',
  'deploy',
  'latency',
  '##ing',
] as const;

export const tokenId = (token: (typeof tinyVocab)[number]): number => tinyVocab.indexOf(token);

/** A fresh temporary folder per test file, removed after it. */
export function tempFolder(): (name: string) => string {
  const root = mkdtempSync(join(tmpdir(), 'episodic-static-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return (name) => join(root, name);
}

/** Writes the tiny model (pseudo-random rows, `normalize: true`) into `folder` and returns it. */
export function writeTinyModel(folder: string, spec: Partial<StaticModelSpec> = {}): string {
  writeStaticModel(folder, { vocab: tinyVocab, dimensions: 16, normalize: true, ...spec });
  return folder;
}
