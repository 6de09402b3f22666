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
    expect(domainIssues('shop\u0007')).toEqual(['must not contain control characters']);
    expect(domainIssues('shop-eu')).toEqual([]);
  });
});
