// Pieces several pages share: status badges, problems, the prompt to sign in.
import { ApiError } from './api.js';
import { h } from './dom.js';
import * as format from './format.js';

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, format.label(status));
}

export function tag(text) {
  return h('span', { class: 'tag' }, text);
}

/**
 * A page that could not be shown: the page's heading says why (until 2026-12-06 an h2 with no h1, and the tab kept the
 * last page's title), and a button asks again (`retry`), as a reader would after an outage or a limit.
 */
export function problem(error, retry) {
  const known = error instanceof ApiError;
  const title = known ? error.problem?.title ?? 'Something went wrong' : 'Something went wrong';
  const detail = known ? error.problem?.detail ?? error.message : String(error);
  return h('div', { class: 'problem', role: 'alert' }, h('h1', null, title), h('p', null, detail),
    retry && (!known || error.status === 0 || error.status >= 429) ? h('button', { type: 'button', class: 'secondary', onclick: retry }, 'Try again') : null);
}

export function signInButton(text = 'Sign in') {
  return h('button', { type: 'button', onclick: () => document.dispatchEvent(new CustomEvent('tracker:sign-in')) }, text);
}

/** Past views are for auditors (and admins): what a reader without that role sees instead. */
export function pastNeedsAuditor(caller) {
  return h('div', { class: 'card gate' },
    h('h1', null, 'Past views are for auditors'),
    h('p', null, caller?.authenticated
      ? `You are signed in as ${caller.name} (${caller.roles.join(', ')}), a role that does not include the audit views.`
      // A key is held that the service cannot check just now: try again from the header, not sign in again.
      : caller?.unconfirmed ? 'The service cannot check your key just now, so it cannot tell whether you may see past views: use Try again in the header.'
      : 'Sign in with an auditor key to see the tracker as it was on a past date.'),
    caller?.authenticated || caller?.unconfirmed ? null : signInButton('Sign in as an auditor'));
}

/** A page number from the address (?name=3): 1 when absent or not a number, at most the last the API pages to. */
export function pageParam(params, name = 'page') {
  return Math.min(lastPage, Math.max(1, Number.parseInt(params.get(name) ?? '1', 10) || 1));
}

/** The last page the API pages to (Paging.MaxPage). */
const lastPage = 10000000;

/** Previous and next links under a paged table, or nothing for a single page; `at(n)` is page n's address. */
export function pager(page, at, noun) {
  if (page.pageCount <= 1) return null;
  return h('nav', { class: 'pager', 'aria-label': `Pages of ${noun}` },
    // The arrows are drawn, not read ("Previous", not "left arrow Previous").
    page.page > 1 ? h('a', { href: at(Math.min(page.page - 1, page.pageCount)), rel: 'prev' }, h('span', { 'aria-hidden': 'true' }, '← '), 'Previous') : null,
    h('span', { dataset: { announce: `pager-${noun}` } }, `Page ${page.page} of ${page.pageCount} (${format.number(page.total)} ${noun})`),
    page.page < Math.min(page.pageCount, lastPage) ? h('a', { href: at(page.page + 1), rel: 'next' }, 'Next', h('span', { 'aria-hidden': 'true' }, ' →')) : null);
}

/** What a page past the last says instead of an empty table: which pages there are, and a link to the last. */
export function pastTheLastPage(page, at, noun) {
  return h('p', { class: 'empty' },
    `There is no page ${page.page} of ${noun}; there ${page.pageCount === 1 ? 'is one' : `are ${page.pageCount}`}. `,
    h('a', { href: at(Math.min(page.pageCount, lastPage)) }, 'Go to the last page.'));
}
