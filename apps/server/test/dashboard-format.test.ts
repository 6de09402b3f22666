import { describe, expect, it } from 'vitest';

/** The dashboard's own module (plain browser JavaScript, no types): the functions this test calls. */
interface DashboardFormat {
  formatNumber(value: unknown, digits?: number): string;
  contextPreview(episode: { id: string; context: string | null }, length?: number): string;
}
const format = (await import(new URL('../ui/format.js', import.meta.url).href)) as DashboardFormat;

describe("the dashboard's figures", () => {
  it('shows a tiny score with its digits, never as 0.000, and whole numbers and missing values as they are', () => {
    expect(format.formatNumber(3.75e-6)).toBe('0.0000038');
    expect(format.formatNumber(0.1234)).toBe('0.123');
    expect(format.formatNumber(2)).toBe('2');
    expect(format.formatNumber(0)).toBe('0');
    expect(format.formatNumber(null)).toBe('–');
  });
});

describe("an episode's link text", () => {
  const id = '01a24f62-4d6b-7000-b731-000000000001';
  it('is the id when the context shows nothing: a link of zero width could not be clicked', () => {
    for (const context of [
      '',
      '  ',
      '\u200b',
      '\u2060\u2060',
      '\u00ad',
      '\u034f',
      '\u200d\u200c',
      '\ufe0f',
      '\u3164',
      '\u2800',
      '\u{e0020}',
    ])
      expect(format.contextPreview({ id, context })).toBe(id);
    expect(format.contextPreview({ id, context: null })).toBe(id);
  });

  it('leaves out bidirectional controls, which reorder what follows them, and keeps the rest', () => {
    expect(format.contextPreview({ id, context: 'safe.txt\u202eexe.fdp' })).toBe('safe.txtexe.fdp');
    expect(format.contextPreview({ id, context: 'مرحبا بالعالم' })).toBe('مرحبا بالعالم');
    expect(format.contextPreview({ id, context: 'e\u0301 \u{1F600}' })).toBe('e\u0301 \u{1F600}');
  });
});
