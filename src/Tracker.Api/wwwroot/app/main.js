// The shell: reads the route and the chosen past from the address (#/path?asOf=…&view=…), keeps the time-travel form
// and the sign-in in step with it, and hands the page to a view. Every state is a link: back, forward and sharing work.
import { ApiError, credentials, get } from './api.js';
import { h, markScrollingTables, replace } from './dom.js';
import { current, href } from './route.js';
import { problem } from './parts.js';
import * as format from './format.js';
import * as overview from './views/overview.js';
import * as commitment from './views/commitment.js';
import * as pledgers from './views/pledgers.js';
import * as pledger from './views/pledger.js';

const routes = [
  { pattern: /^\/$/, view: overview, section: 'overview' },
  { pattern: /^\/commitments\/([^/]+)$/, view: commitment, section: 'overview' },
  { pattern: /^\/pledgers$/, view: pledgers, section: 'pledgers', present: true },
  { pattern: /^\/pledgers\/([^/]+)$/, view: pledger, section: 'pledgers', present: true }
];

const main = document.getElementById('main');
// The skip link moves focus to the page's content and leaves the address alone: its #main would otherwise be read as a
// route, and the page replaced by "Not found" (until 2026-12-06).
document.querySelector('.skip-link')?.addEventListener('click', event => {
  event.preventDefault();
  main.setAttribute('tabindex', '-1');
  main.focus();
});
const banner = document.getElementById('past-banner');
const form = document.getElementById('time-travel');
const dateInput = document.getElementById('tt-date');
const viewSelect = document.getElementById('tt-view');
let caller = null;
let navigation = 0;

function describePast(past) {
  return past.view === 'effective'
    ? `as things stood on ${format.day(past.asOf)}, by everything recorded up to today`
    : `as the tracker showed it at the end of ${format.day(past.asOf)} (UTC), before anything recorded later`;
}

// Said once, on the present shown for a date that is today in UTC (a reader east of UTC picking their yesterday).
let todayNote = null;

/**
 * The banner for an address: the pledger pages show the present, and say so on the page, so it does not call them a past
 * (until 2026-12-07 it did, above their own notice). The date stays in the address, for the links back.
 */
function showPastOf({ path, past }) {
  const route = routes.find(r => r.pattern.test(path));
  // A reader without the audit views is refused the past, and the page says so: no banner calls it a past view (until
  // 2026-12-08 the banner announced "Past view" above the refusal). The date asked for stays in the form.
  const refused = Boolean(past) && !route?.present && !caller?.may?.audit;
  showPast(route?.present || refused ? null : past);
  if (refused) { dateInput.value = past.asOf; viewSelect.value = past.view; }
}

function showPast(past) {
  document.body.classList.toggle('is-past', Boolean(past));
  dateInput.max = format.today();
  dateInput.value = past?.asOf ?? '';
  viewSelect.value = past?.view ?? 'recorded';
  // Or from the address: a date that is today or later in UTC names no past (a shared link); said so, not shown silently.
  const asked = current().params.get('asOf');
  const note = past ? null : todayNote ?? (asked && !current().badDate && asked >= format.today()
    ? `${format.day(asked)} is not before today in UTC, the tracker's time, so this is the present: a past view is of an earlier day.`
    : null);
  todayNote = null;
  // Rewritten only when it says something else: a live region rewritten says it all again (until 2026-12-08 at each
  // page of a table in a past).
  const says = note ?? (past ? `${past.asOf} ${past.view}` : '');
  if (banner.dataset.says === says) { banner.querySelector('a')?.setAttribute('href', todayHref()); return; }
  banner.dataset.says = says;
  if (note) { banner.hidden = false; replace(banner, note); return; }
  if (!past) { banner.hidden = true; banner.replaceChildren(); return; }
  banner.hidden = false;
  replace(banner,
    h('strong', null, 'Past view. '), `You are looking at the tracker ${describePast(past)}. `,
    h('a', { href: todayHref() }, 'Back to today'));
}

function showAccess() {
  const access = document.getElementById('access');
  if (caller?.unconfirmed) {
    // A key is held but the service did not say whose (an outage, or sign-ins refused from this address for a while):
    // said so, with the way to try again or to drop the key, where until 2026-12-06 this read as signed out.
    replace(access,
      h('span', { class: 'who', role: 'status' }, 'Signed in with a key the service cannot check just now',
        h('span', { class: 'roles' }, ` (${caller.unconfirmed})`)),
      h('button', { type: 'button', class: 'secondary', onclick: retryCaller }, 'Try again'),
      h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'));
  } else if (caller?.authenticated) {
    replace(access,
      h('span', { class: 'who' }, `Signed in as ${caller.name}`, h('span', { class: 'roles' }, ` (${caller.roles.join(', ')})`)),
      h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'));
  } else {
    replace(access, h('button', { type: 'button', class: 'secondary', onclick: openSignIn }, 'Sign in'));
  }
}

async function loadCaller() {
  try {
    caller = await get('/api/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && credentials.key) {
      credentials.key = null; // a revoked or mistyped key: forget it rather than fail every page
      caller = await get('/api/me').catch(() => null);
    } else if (credentials.key) {
      // Not a refusal of the key: it is kept (and still sent), and the pages allow only what anyone may until it is checked.
      caller = { authenticated: false, roles: [], unconfirmed: error.message };
    } else {
      caller = null;
    }
  }
  showAccess();
}

const dialog = document.getElementById('sign-in');
const signInError = document.getElementById('sign-in-error');

const keyInput = document.getElementById('sign-in-key');
// The heading to go back to once signed in from a gate on the page (the History section's, or the page's own): the
// gate's button is gone once the page is rebuilt (until 2026-12-08 focus went to the header, the reader's place lost).
let signedInFrom = null;

function openSignIn() {
  const opener = document.activeElement;
  signedInFrom = opener?.closest?.('main .gate')
    ? opener.closest('section[aria-labelledby]')?.getAttribute('aria-labelledby') ?? 'h1' : null;
  signInError.hidden = true;
  signInError.textContent = '';
  keyInput.removeAttribute('aria-invalid');
  keyInput.value = '';
  dialog.showModal();
}

document.addEventListener('tracker:sign-in', openSignIn);
// A page's request found the key refused (api.js dropped it): the header says so, and the page is read again without it.
let refusedNote = false;
document.addEventListener('tracker:key-refused', () => {
  if (refusedNote) return;
  refusedNote = true;
  loadCaller().then(() => {
    const access = document.getElementById('access');
    access.prepend(h('span', { class: 'who', role: 'status' }, 'Your key was refused (revoked, or mistyped), so you are signed out. '));
    return render();
  }).finally(() => { refusedNote = false; });
});
document.getElementById('sign-in-cancel').addEventListener('click', () => dialog.close());
document.getElementById('sign-in-form').addEventListener('submit', async event => {
  event.preventDefault();
  const key = keyInput.value.trim();
  try {
    const who = await get('/api/me', null, { key });
    if (!who.authenticated) throw new ApiError(401, { detail: 'The service did not recognise that key.' });
    credentials.key = key;
    caller = who;
    dialog.close();
    showAccess();
    // Focus where the control was (now Sign out), not lost to the page's body (until 2026-12-06); from a gate on the
    // page, the part of the page that replaced it, brought into view (until 2026-12-08 the header's).
    const from = signedInFrom;
    if (!from) document.querySelector('#access button')?.focus();
    render({ focusOn: from });
  } catch (error) {
    // Emptied first, so that the same refusal twice is announced twice; tied to the field it is about.
    signInError.textContent = '';
    signInError.hidden = false;
    keyInput.setAttribute('aria-invalid', 'true');
    const said = error.status === 401 ? 'That key is not valid, or it was revoked.' : error.message;
    setTimeout(() => { signInError.textContent = said; }, 50);
  }
});

// Focus where the control was (Sign out once the key is checked, Try again if it still cannot be), as signing in keeps it.
function retryCaller() {
  loadCaller().then(() => {
    document.querySelector('#access button')?.focus();
    return render();
  });
}

function signOut() {
  credentials.key = null;
  loadCaller().then(() => {
    document.querySelector('#access button')?.focus();
    return render();
  });
}

form.addEventListener('submit', event => {
  event.preventDefault();
  const { path, params } = current();
  if (!dateInput.value || dateInput.value >= format.today()) {
    params.delete('asOf');
    // The tracker's days are UTC's: until 2026-12-06 a date that is today there showed the present without a word.
    if (dateInput.value) {
      todayNote = `${format.day(dateInput.value)} is today in UTC, the tracker's time, so this is the present: a past view is of an earlier day.`;
    }
  } else params.set('asOf', dateInput.value);
  params.set('view', viewSelect.value);
  if (!params.has('asOf')) params.delete('view');
  const query = params.toString();
  const before = location.hash;
  keepFollowedLink();
  location.hash = `${path}${query ? `?${query}` : ''}`;
  // Already the present: no new address, so no render to show the note.
  if (location.hash === before) showPastOf(current());
});

// This page today, with its filters, sort and page (the banner's link kept none of them until 2026-12-06).
function todayHref() {
  const { path, params } = current();
  params.delete('asOf');
  params.delete('view');
  const query = params.toString();
  return `#${path}${query ? `?${query}` : ''}`;
}

document.getElementById('tt-today').addEventListener('click', () => {
  keepFollowedLink();
  location.hash = todayHref();
});

/** Shows the page for the address; `focusOn`: the heading (an id, or 'h1') to take focus once it is shown. */
async function render({ focusOn = null } = {}) {
  const mine = ++navigation;
  // Which address the page shows once it is no longer busy: a reader (or a test) that changed the address waits for this,
  // since the hashchange that renders the new page comes after the address has changed.
  const address = location.hash;
  delete main.dataset.shows;
  const { path, params, past, badDate } = current();
  const route = routes.find(r => r.pattern.test(path));
  const pathBefore = lastPath;
  showPastOf(current());
  for (const link of document.querySelectorAll('.sections a')) {
    // The section's own page is the current page; a page within it (a commitment, a pledger) is in the section, which is
    // not the page (until 2026-12-08 "Overview" said "current page" on every commitment's page).
    const root = link.dataset.section === 'pledgers' ? '/pledgers' : '/';
    if (link.dataset.section === route?.section) link.setAttribute('aria-current', path === root ? 'page' : 'true');
    else link.removeAttribute('aria-current');
    link.setAttribute('href', href(root));
  }
  markDate(badDate);
  if (!route) {
    replace(main, h('h1', null, 'Not found'), h('p', null, 'There is no such page. ', h('a', { href: href('/') }, 'Go to the overview.')));
    // The tab says so too (until 2026-12-06 it kept the last page's title).
    document.title = 'Not found · CommitmentTracker';
    shown(address, path !== pathBefore);
    return;
  }
  if (badDate) {
    const kept = new URLSearchParams(params);
    kept.delete('asOf');
    kept.delete('view');
    replace(main, h('h1', null, 'Not a date'),
      h('p', { id: 'bad-date' }, `This address asks for the tracker as of “${badDate}”, which ${
        isCalendarDay(badDate) ? 'is before the first day a past view shows' : 'names no day'}: a past view's date is written `,
        h('code', null, 'YYYY-MM-DD'), ', from 1900-01-01 to yesterday. ',
        h('a', { href: `#${path}${kept.toString() ? `?${kept}` : ''}` }, 'See this page today.')));
    document.title = 'Not a date · CommitmentTracker';
    shown(address, path !== pathBefore);
    return;
  }
  let args;
  try {
    args = path.match(route.pattern).slice(1).map(decodeURIComponent);
  } catch {
    // A broken escape in the address ("%E0%A4%A") names no page: said so, where until 2026-12-06 the page stayed blank.
    replace(main, h('h1', null, 'Not found'), h('p', null, 'This address has a broken %-escape, so it names no page. ',
      h('a', { href: href('/') }, 'Go to the overview.')));
    document.title = 'Not found · CommitmentTracker';
    shown(address, path !== pathBefore);
    return;
  }
  main.setAttribute('aria-busy', 'true');
  // The same page again (a filter applied, another page of a table): focus goes back to the control that asked for it,
  // where until 2026-12-06 it was lost to the page's body once the page was rebuilt.
  // Back or Forward to another page: the link the reader followed from it, kept in its history entry.
  const focused = path === lastPath ? focusKey(document.activeElement) : history.state?.focus ?? null;
  const context = {
    params, past, caller, args,
    stale: () => mine !== navigation
  };
  try {
    const page = await route.view.render(context);
    if (context.stale()) return;
    replace(main, page);
    // A new page starts at its top, its heading and a past's banner in view (until 2026-12-07 it opened where the last
    // page had been scrolled to); the same page again (a filter, another page of a table) keeps the reader's place.
    // Back and Forward return to where the reader was on that page (kept in its history entry as they scroll).
    if (path !== pathBefore) window.scrollTo(0, history.state?.scrollY ?? 0);
    restoreFocus(focused);
    markScrollingTables(main);
    // A page in a past says so in the tab too (until 2026-12-07 only the overview's heading did).
    const heading = main.querySelector('h1')?.textContent ?? 'Overview';
    const inThePast = past && !route.present && route.view !== overview && !main.querySelector('.gate') ? ', in the past' : '';
    document.title = `${heading}${inThePast} · CommitmentTracker`;
  } catch (error) {
    if (context.stale()) return;
    replace(main, problem(error, () => render()));
    document.title = `${main.querySelector('h1')?.textContent ?? 'Something went wrong'} · CommitmentTracker`;
  } finally {
    if (!context.stale()) shown(address, path !== pathBefore, focusOn);
  }
}

const announcer = document.getElementById('announcer');
let everShown = false;
let headingShown = null;
// What each part of the page marked `data-announce` said when last shown, by its name.
const announced = new Map();

/**
 * The page for the address is shown, and a screen reader is told what changed (until 2026-12-08 focus went to the
 * unnamed main while the old page was still there, and a new page or new counts came silently):
 * - where the control the reader used went with the old page (a link followed, "Back to today", "Try again"), the new
 *   page's heading takes focus, and is read from there;
 * - where it is still there (Apply, a table's Next, the header's date), focus stays on it, and the live region says the
 *   new page's heading if it is another page ("Not there yet on that date", "Past views are for auditors"), and the
 *   parts marked `data-announce` whose words changed (how many commitments match, which page of a table), once each;
 * - the page the reader opened is left as it is, focus at its start (the skip link first).
 */
function shown(address, pathChanged, focusOn = null) {
  main.dataset.shows = address;
  main.removeAttribute('aria-busy'); // a page still loading from before is stale now, and will not clear it
  const heading = main.querySelector('h1');
  const first = !everShown;
  const newPage = pathChanged || heading?.textContent !== headingShown;
  everShown = true;
  headingShown = heading?.textContent ?? null;
  const parts = [...main.querySelectorAll('[data-announce]')].map(part => [part.dataset.announce, part.textContent.trim()]);
  const changed = parts.filter(([name, text]) => announced.get(name) !== text).map(([, text]) => text);
  // What this page says now, and nothing of a part it no longer has (a count gone while a filter was refused is said
  // again when it comes back).
  announced.clear();
  for (const [name, text] of parts) announced.set(name, text);
  if (first) return;
  // Asked for by the caller (signing in from a gate: the part of the page that replaced it), once this render is shown.
  const asked = focusOn === 'h1' ? heading : focusOn ? document.getElementById(focusOn) : null;
  if (asked) {
    focusHeading(asked, { scroll: focusOn !== 'h1' });
    return;
  }
  const focusLost = !document.activeElement || document.activeElement === document.body || document.activeElement === main ||
    !document.activeElement.isConnected;
  if (focusLost) {
    focusHeading(heading);
    return;
  }
  const said = [newPage ? headingShown : null, ...(newPage ? [] : changed)].filter(Boolean).join('. ');
  announcer.textContent = '';
  // A moment later, so that the same words after another change are said again.
  if (said) setTimeout(() => { if (main.dataset.shows === address) announcer.textContent = said; }, 100);
}

/**
 * Focus on a heading a reader did not tab to (it takes focus from the script only): the page left where it is scrolled,
 * or with `scroll`, the heading brought to the top of the window.
 */
function focusHeading(heading, { scroll = false } = {}) {
  if (!heading) { main.focus({ preventScroll: true }); return; }
  heading.setAttribute('tabindex', '-1');
  if (scroll) heading.scrollIntoView({ block: 'start' });
  heading.focus({ preventScroll: true });
}

/** A date written as a day of the calendar (1899-12-31), whatever its range. */
function isCalendarDay(text) {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : null;
  return Boolean(day) && !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

/**
 * The header's date field says when the address's date names no day (the page explains it below), tied to that text;
 * otherwise it is plain again.
 */
function markDate(badDate) {
  if (badDate) {
    dateInput.setAttribute('aria-invalid', 'true');
    dateInput.setAttribute('aria-describedby', 'bad-date');
  } else {
    dateInput.removeAttribute('aria-invalid');
    dateInput.removeAttribute('aria-describedby');
  }
}

/** What names a control of the page so that it can be found again once the page is rebuilt. */
function focusKey(element) {
  if (!element || element === document.body || element === main || !main.contains(element)) return null;
  if (element.id) return { id: element.id };
  return element.matches('a, button')
    ? { tag: element.tagName.toLowerCase(), text: element.textContent.trim(), rel: element.getAttribute('rel') }
    : { main: true };
}

function restoreFocus(key) {
  // Only where focus was lost with the old page: a reader who has moved on (to the header's date, say) keeps their place.
  if (!key || (document.activeElement && document.activeElement !== document.body && document.activeElement !== main &&
      document.activeElement.isConnected)) return;
  const target = key.id ? document.getElementById(key.id)
    : key.tag ? [...main.querySelectorAll(key.tag)].find(element => element.textContent.trim() === key.text)
      // The last page has no "Next": focus stays in the pager, on "Previous" (until 2026-12-07 it went to the page's
      // content, and the next Tab to the top of the page).
      ?? (key.rel === 'next' ? main.querySelector('a[rel="prev"]') : key.rel === 'prev' ? main.querySelector('a[rel="next"]') : null)
    : null;
  // A control the rebuilt page no longer has otherwise: its heading, once the page is shown.
  if (target && main.contains(target)) target.focus();
}

// Where the reader is on this page, kept in its history entry (a little after scrolling stops), for Back and Forward.
// (Only into the entry it was taken on: a page left within the delay keeps none, rather than giving the next its place.)
let scrollSaving;
window.addEventListener('scroll', () => {
  clearTimeout(scrollSaving);
  const on = location.hash;
  const at = window.scrollY;
  scrollSaving = setTimeout(() => { if (location.hash === on) history.replaceState({ ...history.state, scrollY: at }, ''); }, 200);
}, { passive: true });

let lastPath = null;
window.addEventListener('hashchange', () => {
  clearTimeout(scrollSaving);
  render();
  // Focus stays on the link followed while the next page loads; once shown, its heading takes it.
  lastPath = current().path;
});

// The link followed to another page is kept in this page's history entry, so that Back returns focus to it as well as the
// scroll (until 2026-12-08 Back scrolled to the link and put focus on the heading at the top); one outside the page's
// content (the header's) is kept as none, so that an earlier one is not taken for it.
document.addEventListener('click', event => {
  // Only a link followed here (not one opened in another tab, nor the skip link, which moves focus and not the page).
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest?.('a[href^="#"]');
  if (link) keepFollowedLink(main.contains(link) ? focusKey(link) : null);
});

/** What Back should return focus to on this page: the link followed from it, or nothing (the header's date, Today). */
function keepFollowedLink(key = null) {
  history.replaceState({ ...history.state, focus: key }, '');
}

// A table wider than its card scrolls, and only then is a stop for the keyboard (DOM's markScrollingTables).
let resizing;
window.addEventListener('resize', () => { clearTimeout(resizing); resizing = setTimeout(() => markScrollingTables(main), 200); });
document.addEventListener('toggle', () => markScrollingTables(main), true);

lastPath = current().path;
loadCaller().then(() => render());
