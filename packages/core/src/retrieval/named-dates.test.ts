import { describe, expect, it } from 'vitest';
import { namedDates } from './named-dates.js';

// A Saturday.
const at = Date.parse('2023-04-01T16:00:00Z');
const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);
const covers = (text: string, iso: string) =>
  namedDates(text, at).some((window) => day(iso) >= window.start && day(iso) <= window.end);

describe('namedDates', () => {
  it('reads "N units ago" around that many units before `at`, with some slack', () => {
    expect(covers('I mentioned an investment four weeks ago', '2023-03-04')).toBe(true);
    expect(covers('I mentioned an investment four weeks ago', '2023-03-01')).toBe(true);
    expect(covers('I mentioned an investment four weeks ago', '2023-02-10')).toBe(false);
    expect(covers('what I cooked a couple of days ago', '2023-03-30')).toBe(true);
    expect(covers('the museum two months ago', '2023-01-31')).toBe(true);
  });

  it('reads spans that end at `at`: the last, past or previous N units, this week', () => {
    expect(covers('plants I bought in the last month', '2023-03-10')).toBe(true);
    expect(covers('plants I bought in the last month', '2023-01-10')).toBe(false);
    expect(covers('videos in the past few weeks', '2023-03-15')).toBe(true);
    expect(covers('what did I do yesterday', '2023-03-31')).toBe(true);
    expect(covers('last Wednesday', '2023-03-29')).toBe(true);
    expect(covers('last Wednesday', '2023-03-22')).toBe(false);
  });

  it('reads months, days of months and numeric dates in the latest year not after `at`', () => {
    expect(covers('workshops I attended in March', '2023-03-20')).toBe(true);
    expect(covers('workshops I attended in March', '2022-03-20')).toBe(false);
    // December is later in the year than `at`: the last one was in 2022.
    expect(covers('the party in December', '2022-12-15')).toBe(true);
    expect(covers('before the 7/22 trip', '2022-07-22')).toBe(true);
    expect(covers('on May 20th', '2022-05-20')).toBe(true);
    expect(covers('on 2023-02-14', '2023-02-14')).toBe(true);
  });

  it('reads a month with its year as that month of that year, not its first digits as a day', () => {
    for (const text of ['billing deploy in April 2022', 'during april 2022', 'April 2022', 'apr 2022']) {
      expect(covers(text, '2022-04-02'), text).toBe(true);
      expect(covers(text, '2022-04-28'), text).toBe(true);
      expect(covers(text, '2023-04-20'), text).toBe(false);
    }
    // A day before the month is not read: the whole month of that year.
    expect(covers('on 5 May 2022', '2022-05-25')).toBe(true);
    expect(covers('on 5 May 2022', '2023-05-05')).toBe(false);
    expect(covers('may 2022', '2022-05-15')).toBe(true);
    expect(covers('on May 5th 2022', '2022-05-05')).toBe(true);
    expect(covers('on May 5th 2022', '2022-05-15')).toBe(false);
    expect(covers('May 20, 2021', '2021-05-20')).toBe(true);
  });

  it('names nothing in questions that only ask how long ago, or use "may" as a verb', () => {
    expect(namedDates('How many weeks ago did I attend the sale?', at)).toEqual([]);
    expect(namedDates('May I ask what you may know about gardens?', at)).toEqual([]);
  });
});
