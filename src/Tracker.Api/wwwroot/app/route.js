// Where the reader is: the page (#/path) and the past being viewed (?asOf=YYYY-MM-DD&view=recorded|effective).
import { today } from './format.js';

export function current() {
  const raw = location.hash.slice(1) || '/';
  const [path, query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  const asOf = params.get('asOf');
  const valid = isDay(asOf);
  const past = valid && asOf < today()
    ? { asOf, view: params.get('view') === 'effective' ? 'effective' : 'recorded' }
    : null;
  // A date the address gives that names no day (2024-13-01, 2024-02-30) or one before the API's first: said so by the
  // shell, where until 2026-12-06 it broke the page.
  const badDate = asOf && !valid ? asOf : null;
  return { path: path || '/', params, past, badDate };
}

/** A day of the calendar as YYYY-MM-DD, from 1900-01-01 (the API's first). */
function isDay(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text ?? '') || text < '1900-01-01') return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

/** A link to a page that keeps the past being viewed, with any extra query. */
export function href(path, extra = {}) {
  const { past } = current();
  const params = new URLSearchParams();
  if (past) { params.set('asOf', past.asOf); params.set('view', past.view); }
  for (const [name, value] of Object.entries(extra)) if (value) params.set(name, value);
  const query = params.toString();
  return `#${path}${query ? `?${query}` : ''}`;
}
