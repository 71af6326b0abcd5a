// Where the reader is: the page (#/path) and the past being viewed (?asOf=YYYY-MM-DD&view=recorded|effective).
import { today } from './format.js';

export function current() {
  const raw = location.hash.slice(1) || '/';
  const [path, query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  const asOf = params.get('asOf');
  const past = /^\d{4}-\d{2}-\d{2}$/.test(asOf ?? '') && asOf < today()
    ? { asOf, view: params.get('view') === 'effective' ? 'effective' : 'recorded' }
    : null;
  return { path: path || '/', params, past };
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
