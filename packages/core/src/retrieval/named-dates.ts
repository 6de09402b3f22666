/** A span of time a query names, in milliseconds since the epoch, both ends included. */
export interface TimeWindow {
  start: number;
  end: number;
}

const dayMs = 86_400_000;
const unitDays = { day: 1, week: 7, month: 30.44, year: 365.25 } as const;
const numbers: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  couple: 2,
  'a couple': 2,
  'a couple of': 2,
  'couple of': 2,
  few: 3,
  'a few': 3,
  several: 3,
};
const months = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const count = String.raw`(\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:a )?couple(?: of)?|(?:a )?few|several)`;
const unit = '(day|week|month|year)s?';
const monthName =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

const amount = (word: string) => numbers[word] ?? Number(word);
const around = (center: number, halfDays: number): TimeWindow => ({
  start: center - halfDays * dayMs,
  end: center + halfDays * dayMs,
});

/**
 * The latest `month` (0-based), `day` (or the whole month) at or before `at`, on the calendar of
 * the asker's zone (`at` and the windows shifted by `offsetMs`). A day that a year lacks (February
 * 29) is the latest year that has it.
 */
function monthWindow(
  at: number,
  month: number,
  day: number | null,
  year: number | null,
  offsetMs = 0,
): TimeWindow | null {
  const exists = (candidate: number) =>
    day === null || new Date(Date.UTC(candidate, month, day)).getUTCDate() === day;
  // A day no month of that name has (February 30, March 45): no date (2024 is a leap year).
  if (!exists(2024)) return null;
  const local = at + offsetMs;
  let y = year ?? new Date(local).getUTCFullYear();
  if (year === null)
    for (let tries = 0; tries < 8 && (Date.UTC(y, month, day ?? 1) > local || !exists(y)); tries += 1) y -= 1;
  if (day !== null) return around(Date.UTC(y, month, day) - offsetMs, 2);
  return {
    start: Date.UTC(y, month, 1) - 3 * dayMs - offsetMs,
    end: Date.UTC(y, month + 1, 1) + 3 * dayMs - offsetMs,
  };
}

/**
 * The time windows a query names, read relative to `at` (when it is asked): "N days/weeks/months
 * ago", "the last/past N weeks", "yesterday", "last Saturday", "in April", "May 20", "the 7/22",
 * "2023-05-20". Each window is widened a little: people round when they say when.
 */
export function namedDates(text: string, at: number, offsetMinutes = 0): TimeWindow[] {
  const offsetMs = offsetMinutes * 60_000;
  const lower = text.toLowerCase();
  const windows: TimeWindow[] = [];
  for (const m of lower.matchAll(
    new RegExp(String.raw`\b${count} ${unit} (?:ago|earlier|before now)\b`, 'g'),
  )) {
    const n = amount(m[1] as string);
    const days = n * unitDays[m[2] as keyof typeof unitDays];
    windows.push(around(at - days * dayMs, Math.max(1, days / 4)));
  }
  for (const m of lower.matchAll(
    new RegExp(String.raw`\b(?:last|past|previous) (?:${count} )?${unit}\b`, 'g'),
  )) {
    const n = m[1] === undefined ? 1 : amount(m[1]);
    const days = n * unitDays[m[2] as keyof typeof unitDays];
    windows.push({ start: at - days * 1.25 * dayMs, end: at });
  }
  for (const m of lower.matchAll(/\bthis (week|month|year|weekend)\b/g)) {
    const days = m[1] === 'weekend' ? 7 : unitDays[m[1] as keyof typeof unitDays];
    windows.push({ start: at - days * dayMs, end: at });
  }
  if (/\byesterday\b/.test(lower)) windows.push(around(at - dayMs, 1));
  if (/\blast weekend\b/.test(lower)) windows.push({ start: at - 9 * dayMs, end: at });
  for (const m of lower.matchAll(new RegExp(String.raw`\blast (${weekdays.join('|')})\b`, 'g'))) {
    const back = (new Date(at + offsetMs).getUTCDay() - weekdays.indexOf(m[1] as string) + 7) % 7 || 7;
    windows.push(around(at - back * dayMs, 1));
  }
  // "may" is a verb too: the month only after a preposition, or before a day number or a year.
  // A day is one or two digits not followed by a third: in "April 2023" "20" is not a day. A
  // clock time may stand between the day and the year, as in a log line or `date`'s output ("Tue
  // Aug 24 14:09:36 2021"): the year is that one, not the latest.
  const monthPattern = new RegExp(
    String.raw`(?:\b(in|of|during|since|early|late|mid|on|by|until|before|after)[ -])?\b${monthName}\b(?: (\d{1,2})(?!\d)(?:st|nd|rd|th)?)?(?:,?(?: \d{1,2}:\d{2}(?::\d{2})?)? (\d{4}))?`,
    'g',
  );
  for (const m of lower.matchAll(monthPattern)) {
    const name = m[2] as string;
    const dated = m[1] !== undefined || m[3] !== undefined || m[4] !== undefined;
    // A bare three-letter form ("may", "mar", "jan"…) is a word more often than a month.
    if (!dated && name.length === 3) continue;
    const month = months.findIndex((full) => full.startsWith(name.slice(0, 3)));
    const window = monthWindow(
      at,
      month,
      m[3] === undefined ? null : Number(m[3]),
      m[4] === undefined ? null : Number(m[4]),
      offsetMs,
    );
    if (window !== null) windows.push(window);
  }
  for (const m of lower.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g))
    windows.push(around(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - offsetMs, 1));
  // A number over a number is a fraction, a ratio or a version as often as a date ("for 11/12",
  // "1/2 of"): a date only after a word that names one ("the 7/22 trip", "on 7/22", "since 3/4").
  for (const m of lower.matchAll(
    /\b(?:the|on|by|since|until|till|before|after|from|due|dated)\s+(\d{1,2})\/(\d{1,2})(?![\d/])/g,
  )) {
    const month = Number(m[1]) - 1;
    const day = Number(m[2]);
    const window = month >= 0 && month < 12 && day >= 1 ? monthWindow(at, month, day, null, offsetMs) : null;
    if (window !== null) windows.push(window);
  }
  return windows;
}
