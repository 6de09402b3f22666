import { describe, expect, it } from 'vitest';

/** The dashboard's own module (plain browser JavaScript, no types): the functions this test calls. */
interface DashboardFormat {
  formatNumber(value: unknown, digits?: number): string;
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
