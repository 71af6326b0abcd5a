// How figures, dates and enum values read on the page. Dates in the data are calendar days (UTC).

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const instantFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short'
});
const wholeNumber = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
// Every digit pledged money keeps (a millionth): an exact amount shows what the API says, not a rounding of it.
const exactNumber = new Intl.NumberFormat('en', { maximumFractionDigits: 6 });
const compactNumber = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
// A reported figure as the source gave it, every digit (the API keeps up to 28 significant ones). Browsers before late
// 2023 take at most 20 decimals, and would throw on more here, blanking every page: those show 20.
const mostDecimals = (() => {
  try { new Intl.NumberFormat('en', { maximumFractionDigits: 28 }); return 28; } catch { return 20; }
})();
const reportedNumber = new Intl.NumberFormat('en', { maximumFractionDigits: mostDecimals });

/** "2024-09-30" → "30 Sept 2024". */
export function day(iso) {
  if (!iso) return '';
  return dayFormat.format(new Date(iso.length === 10 ? iso + 'T00:00:00Z' : iso));
}

export function instant(iso) {
  return iso ? instantFormat.format(new Date(iso)) : '';
}

export function number(value) {
  return value === null || value === undefined ? '' : wholeNumber.format(value);
}

export function compact(value) {
  return value === null || value === undefined ? '' : compactNumber.format(value);
}

function currencyFormat(currency, notation) {
  try {
    // Exact: the currency's own minor unit at least ($1,000.00, ¥1,000), and every further digit the amount has, up to
    // the millionth pledged money keeps (until 2026-12-06 whole units only, so €10,000,000.55 read €10,000,001).
    return new Intl.NumberFormat('en', notation
      ? { style: 'currency', currency, notation, maximumFractionDigits: 1 }
      : { style: 'currency', currency, maximumFractionDigits: 6 });
  } catch {
    return null; // a code Intl does not know: shown as "XXX 1,000"
  }
}

/** USD 394000000 → "$394M" (compact) or "$394,000,000.00" (exact, to the last digit it has). */
export function money(amount, currency, { exact = false } = {}) {
  if (amount === null || amount === undefined) return '';
  // Below one unit a compact amount would read as nothing ("$0" for a millionth): shown exactly instead (until
  // 2026-12-07 a target of 0.000001 read "Target $0", and a millionth disbursed "$0 disbursed").
  if (!exact && Number(amount) !== 0 && Math.abs(Number(amount)) < 1) exact = true;
  const format = currencyFormat(currency, exact ? undefined : 'compact');
  // The API's own digits where a float cannot hold them (api.js): Intl formats a decimal string exactly.
  const shown = exact ? (amount.exact ?? amount) : Number(amount);
  return format ? format.format(shown) : `${currency} ${exact ? exactNumber.format(shown) : compact(Number(amount))}`;
}

function preciseMoney(amount, currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: mostDecimals }).format(amount);
  } catch {
    return `${currency} ${reportedNumber.format(amount)}`;
  }
}

/**
 * 0.25 → "25%", with thousands separated (a fraction of a million reads "100,000,000%"); a share that is not nothing
 * but rounds to it reads "<1%" (until 2026-12-07 "0%").
 */
export function percent(fraction) {
  if (fraction === null || fraction === undefined || Number.isNaN(Number(fraction))) return '';
  const value = Number(fraction);
  const whole = Math.round(value * 100);
  // Nothing and the whole are said only when they are (0.996 is ">99%", not "100%").
  if (whole === 0 && value !== 0) return value > 0 ? '<1%' : 'just below 0%';
  if (whole === 100 && value < 1) return '>99%';
  return `${wholeNumber.format(whole === 0 ? 0 : whole)}%`;
}

/** "not-assessed" → "Not assessed". */
export function label(kebab) {
  if (!kebab) return '';
  // A slug (a status, a kind, "detention-and-camps") is written as words; a name written otherwise ("EU-Ukraine
  // Facility") is shown as it was recorded (until 2026-12-07 its hyphens became spaces).
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(kebab)) return kebab;
  const words = kebab.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const statuses = ['not-assessed', 'not-started', 'in-progress', 'stalled', 'partially-achieved', 'achieved',
  'achieved-late', 'missed', 'withdrawn'];
export const kinds = ['financial', 'quantitative', 'milestone', 'qualitative'];

const comparators = {
  exactly: '', 'more-than': 'more than', 'at-least': 'at least', about: 'about', 'up-to': 'up to', nearly: 'nearly',
  'less-than': 'less than', 'at-most': 'at most'
};

/** A comparator as words: "less-than" → "less than"; nothing for "exactly". */
export function comparator(name) {
  return comparators[name] ?? '';
}

// A figure's bound turned round, for a share of a reduction: fewer camps is further along.
const reversed = {
  'more-than': 'less-than', 'at-least': 'at-most', 'less-than': 'more-than', 'at-most': 'at-least', 'up-to': 'at-least',
  nearly: 'just-over'
};

/**
 * The bound a share measured on a figure carries, as words: the figure's own, or, for a reduction (a count's baseline
 * above its target: "from 200 camps to 100"), the other way round, since "more than 150 camps" is at most halfway there
 * (until 2026-12-07 the share was said "more than 50%").
 */
export function shareBound(name, target) {
  const reduction = target && !target.isMoney && target.baseline !== null && target.baseline !== undefined &&
    Number(target.baseline) > Number(target.amount);
  if (!reduction) return comparator(name);
  return reversed[name] === 'just-over' ? 'just over' : comparator(reversed[name] ?? name);
}

/** A reported figure as it was reported: "more than 210,000 personnel trained", "more than $200,000,000 announced". */
export function reported(report) {
  if (!report) return '';
  const comparator = comparators[report.comparator] ?? '';
  // Every digit the source gave (until 2026-12-06 a quantity kept two decimals, and money read "$1.5B" for 1,523,456,789.12).
  const exact = report.figure?.exact ?? report.figure;
  const figure = report.currency ? preciseMoney(exact, report.currency) : reportedNumber.format(exact);
  return [comparator, figure, report.unit, report.stage].filter(Boolean).join(' ');
}

/** A figure as the API gives it, every digit (12345.5 reads 12,345.5), for the tables behind the charts. */
export function figure(value) {
  if (value === null || value === undefined) return '';
  return reportedNumber.format(value.exact ?? value);
}

export function target(t) {
  if (!t) return '';
  return t.isMoney ? money(t.amount, t.currency) : [number(t.amount), t.unit].filter(Boolean).join(' ');
}

const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const seasons = { 3: 'spring', 6: 'summer', 9: 'autumn', 12: 'winter' };

/**
 * The period a deadline names, as stated: "June 2022", "Q4 2026", "H1 2027", "spring 2027", "2030"; a day for a day
 * (until 2026-12-07 every period read as its last day, "30 Jun 2022", so a stated day and a stated month looked alike).
 */
export function period(d) {
  if (!d?.date) return '';
  const start = new Date(`${d.date}T00:00:00Z`);
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth() + 1;
  switch (d.precision) {
    case 'month': return monthFormat.format(start);
    case 'quarter': return `Q${Math.floor((month - 1) / 3) + 1} ${year}`;
    case 'half-year': return `H${month <= 6 ? 1 : 2} ${year}`;
    case 'season': return `${seasons[month] ?? 'season'} ${year}${month === 12 ? `–${String(year + 1).slice(2)}` : ''}`;
    case 'year': return String(year);
    default: return day(d.date);
  }
}

/** When a row is due: "due by 30 Jun 2022", or with the period stated, "June 2022 (due by 30 Jun 2022)". */
export function due(deadline, dueBy) {
  if (!dueBy) return '';
  const stated = deadline?.precision && deadline.precision !== 'day' && deadline.precision !== 'open-ended' ? period(deadline) : '';
  return stated ? `${stated} (due by ${day(dueBy)})` : `due by ${day(dueBy)}`;
}

export function deadline(d) {
  if (!d) return 'No deadline stated';
  if (d.precision === 'open-ended') return d.description ? `Open-ended: ${d.description}` : 'Open-ended';
  const stated = d.precision && d.precision !== 'day' ? period(d) : '';
  const due = d.dueBy ? `due by ${day(d.dueBy)}` : '';
  return [d.description, stated && due ? `${stated} (${due})` : stated || due].filter(Boolean).join(', ') || day(d.date);
}

/**
 * Whether an instant the API wrote (to the microsecond, or finer) falls on or before a day (YYYY-MM-DD) in UTC: compared
 * as times, since a comparison as text depends on how many fractional digits each side was written with.
 */
export function recordedBy(iso, day) {
  return Date.parse(iso) < Date.parse(`${day}T00:00:00Z`) + 86_400_000;
}

/**
 * The end of a day (YYYY-MM-DD) in UTC, to the 100 ns the API reads an instant to: everything recorded that day is at or
 * before it (until 2026-12-06 the past as recorded was asked for at the day's last millisecond, which left out what was
 * recorded in its last 999 microseconds).
 */
export function endOf(day) {
  return `${day}T23:59:59.9999999Z`;
}

/** Today as the date input wants it, in UTC like the data. */
export function today() {
  return new Date().toISOString().slice(0, 10);
}

/** Comparators that bound a figure from above: "less than 100" says nothing of how much at least. */
const ceilings = new Set(['less-than', 'at-most', 'up-to']);

/**
 * What an overdue commitment's outcome is known to be: the deadline passing says only that no achievement is on record,
 * so an overdue commitment nobody has assessed reads "no evidence either way", never "unachieved". Where its figures
 * (pledges, reports) measure progress, there is evidence: at or past the target (by a figure that is not a ceiling),
 * that is said; short of it, nothing more than the status already says (until 2026-12-07 a drive pledged at 222% of
 * its target read "no evidence either way").
 */
export function unknownOutcome(row) {
  if (!row.overdue || row.status !== 'not-assessed') return '';
  const fraction = row.progress?.fraction;
  if (fraction === null || fraction === undefined) return ' · no evidence either way';
  const ceiling = row.progress?.basis === 'reported' && ceilings.has(row.measuredBy?.comparator);
  return Number(fraction) >= 1 && !ceiling ? ' · its figures reach the target, not yet assessed' : '';
}
