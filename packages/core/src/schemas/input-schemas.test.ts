import { describe, expect, it } from 'vitest';
import { limitsSchema } from '../config.js';
import { createInputSchemas } from './input-schemas.js';

const { startEpisode } = createInputSchemas({ limits: limitsSchema.parse({}) });
const domainIssues = (domain: string) =>
  (startEpisode.safeParse({ taskType: 'debugging', domain }).error?.issues ?? []).map(
    (issue) => issue.message,
  );

describe('a domain', () => {
  it('is refused for what is wrong with it, one reason each', () => {
    // The control-character rule also failed on the empty string: two reasons for one fault.
    expect(domainIssues('')).toEqual(['Too small: expected string to have >=1 characters']);
    const shown = 'must not contain control, line-separator, bidirectional or zero-width characters';
    // A C0 and a C1 control, a line separator, a right-to-left override, a zero-width space, a
    // soft hyphen, a combining grapheme joiner, a word joiner, an invisible plus.
    for (const hidden of [
      '\u0007',
      '\u0085',
      '\u2028',
      '\u202e',
      '\u200b',
      '\u00ad',
      '\u034f',
      '\u2060',
      '\u2064',
    ])
      expect(domainIssues(`shop${hidden}eu`)).toEqual([shown]);
    expect(domainIssues('shop-eu')).toEqual([]);
    // Letters of any script, with the joiners some of them need, are names like any other.
    expect(domainIssues('فروشگاه\u200cها')).toEqual([]);
    expect(domainIssues('ショップ')).toEqual([]);
  });

  it('is the same domain typed composed or decomposed', () => {
    const parsed = startEpisode.parse({ taskType: 'debugging', domain: 'café'.normalize('NFD') });
    expect(parsed.domain).toBe('café'.normalize('NFC'));
  });
});
