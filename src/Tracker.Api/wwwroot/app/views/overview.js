// The overview: how many commitments stand where, money against targets, what is overdue or due soon, what changed,
// and every commitment in a table, all narrowed by the same filters.
import { ApiError, get, pastParams } from '../api.js';
import { h, section, table } from '../dom.js';
import * as format from '../format.js';
import { barList, moneyBar } from '../charts.js';
import { href } from '../route.js';
import { pageParam, pager, pastNeedsAuditor, pastTheLastPage, statusBadge } from '../parts.js';

const filterNames = ['q', 'status', 'kind', 'lineOfEffort', 'actor'];
const pageSize = 50;
const sorts = { title: 'Title', deadline: 'Deadline', progress: 'Progress', 'last-changed': 'Last changed' };

export async function render({ params, past, caller }) {
  if (past && !caller?.may?.audit) return pastNeedsAuditor(caller);

  const filters = Object.fromEntries(filterNames.map(name => [name, params.get(name) ?? '']));
  const filtered = filterNames.some(name => filters[name]);
  const sort = sorts[params.get('sort')] ? params.get('sort') : 'title';
  const page = pageParam(params);
  const when = pastParams(past);

  let summary, everything, list;
  try {
    [summary, everything, list] = await Promise.all([
      get('/api/dashboard', { ...when, ...filters }),
      filtered ? get('/api/dashboard', when) : null,
      get('/api/commitments', { ...when, ...filters, sort, order: sort === 'progress' || sort === 'last-changed' ? 'desc' : 'asc', page, pageSize })
    ]);
  } catch (error) {
    // A filter the API refuses (a search past 200 characters, a status spelled as none is, from a shared link): said
    // beside the filters, which stay to put it right (until 2026-12-06 the page was the error alone).
    if (!(error instanceof ApiError) || error.status !== 400 || !filtered) throw error;
    // The choices the filters offer; without them (the database away, a limit) the form still shows what was asked.
    const facets = await get('/api/dashboard', when).catch(() => ({ byLineOfEffort: {}, byActor: {} }));
    const refused = refusedFilters(error, filters);
    const form = filterForm(filters, sort, facets);
    // Each control the API refused says so, tied to the message (until 2026-12-08 only the message, in the API's codes).
    for (const name of refused) {
      form.querySelector(`#filter-${name}`)?.setAttribute('aria-invalid', 'true');
      form.querySelector(`#filter-${name}`)?.setAttribute('aria-describedby', 'filters-refused');
    }
    return h('div', { class: 'overview' },
      h('h1', null, past ? 'Overview, in the past' : 'Overview'),
      h('p', { class: 'problem', role: 'alert', id: 'filters-refused' }, 'These filters cannot be applied: ',
        refused.length && refused.every(name => choices[name]) ? refused.map(name => choiceRefused(name, filters[name])).join(' ') : error.message),
      form);
  }
  const facets = everything ?? summary;

  return h('div', { class: 'overview' },
    h('h1', null, past ? 'Overview, in the past' : 'Overview'),
    h('p', { class: 'lede', dataset: { announce: 'count' } }, `${summary.commitments} commitment${summary.commitments === 1 ? '' : 's'}`,
      filtered ? ` ${summary.commitments === 1 ? 'matches' : 'match'} the filters (of ${facets.commitments})` : ' tracked from the source documents',
      `, as of ${format.day(summary.asOf)}.`),
    filterForm(filters, sort, facets),
    // A sort the page does not offer (a shared link's typo) is said, not passed over (until 2026-12-07 silently by title).
    params.get('sort') && !sorts[params.get('sort')]
      ? h('p', { class: 'notice', role: 'status' }, `“${params.get('sort')}” is not a way this list sorts; it is sorted by title.`) : null,
    keyFigures(summary),
    h('div', { class: 'grid two' },
      section('Status', statusChart(summary, filters)),
      section('Money by stage', moneyCharts(summary))),
    h('div', { class: 'grid three' },
      section('Overdue', rowList(summary.overdue, row => `${format.due(row.deadline, row.dueBy)}${format.unknownOutcome(row)}`, 'Nothing is overdue.')),
      section('Due in the next 90 days', rowList(summary.dueWithin90Days, row => format.due(row.deadline, row.dueBy), 'Nothing falls due in the next 90 days.')),
      // When the tracker recorded each change: in a past as effective, a later recording of an earlier fact (until
      // 2026-12-07 "changed", beside a banner naming an earlier date).
      section('Recently changed', rowList(summary.recentlyChanged.slice(0, 5),
        row => `${past?.view === 'effective' ? 'recorded' : 'changed'} ${format.instant(row.lastChangedAt)}`, 'Nothing recorded yet.'))),
    section('All commitments', commitmentTable(list, { ...filters, sort }, filtered)));
}

/** The filters a refusal names (its `errors`, by the query's names), among those the page has. */
function refusedFilters(error, filters) {
  const named = Object.keys(error.problem?.errors ?? {}).map(name => name.toLowerCase());
  return filterNames.filter(name => named.includes(name.toLowerCase()) && filters[name]);
}

/** The filters whose values are a fixed list: a refusal of one lists the choices as the page shows them. */
const choices = { status: ['a status', format.statuses], kind: ['a kind', format.kinds] };

function choiceRefused(name, value) {
  const [what, values] = choices[name];
  return `“${value}” is not ${what} the tracker knows; choose one of ${values.map(format.label).join(', ')}.`;
}

function filterForm(filters, sort, facets) {
  // A filter in force is shown even where no option is it (spelled in another case, or none of the past's commitments
  // has it): "All" would hide why the counts are low (until 2026-12-06).
  const select = (name, text, options) => h('div', { class: 'field' },
    h('label', { for: `filter-${name}` }, text),
    h('select', { id: `filter-${name}`, name },
      h('option', { value: '' }, 'All'),
      filters[name] && !options.some(([value]) => value === filters[name])
        ? h('option', { value: filters[name], selected: true }, `${filters[name]} (as given)`) : null,
      options.map(([value, shown]) => h('option', { value, selected: filters[name] === value }, shown))));

  const form = h('form', { class: 'filters card', role: 'search', 'aria-label': 'Filter commitments' },
    h('div', { class: 'field grow' },
      h('label', { for: 'filter-q' }, 'Search titles'),
      h('input', { id: 'filter-q', name: 'q', type: 'search', value: filters.q, placeholder: 'a word of a title', maxlength: '200' })),
    select('status', 'Status', format.statuses.map(s => [s, format.label(s)])),
    select('kind', 'Kind', format.kinds.map(k => [k, format.label(k)])),
    select('lineOfEffort', 'Line of effort', Object.keys(facets.byLineOfEffort).map(l => [l, format.label(l)])),
    select('actor', 'Actor', Object.keys(facets.byActor).map(a => [a, a])),
    h('div', { class: 'field' },
      h('label', { for: 'filter-sort' }, 'Sort by'),
      h('select', { id: 'filter-sort', name: 'sort' },
        Object.entries(sorts).map(([value, shown]) => h('option', { value, selected: sort === value }, shown)))),
    h('div', { class: 'field actions' },
      h('button', { type: 'submit' }, 'Apply'),
      h('a', { class: 'button secondary', href: href('/') }, 'Clear')));

  form.addEventListener('submit', event => {
    event.preventDefault();
    const chosen = Object.fromEntries([...new FormData(form)].filter(([, value]) => value !== ''));
    location.hash = href('/', chosen).slice(1);
  });
  // Every control applies on Apply (or Enter): a select that applied on change rebuilt the page at each arrow key a
  // keyboard user pressed to reach an option, and left focus nowhere (until 2026-12-06; WCAG 3.2.2).
  return form;
}

function keyFigures(summary) {
  const achieved = (summary.byStatus.achieved ?? 0) + (summary.byStatus['achieved-late'] ?? 0);
  // "1 commitment", not "1 commitments" (until 2026-12-06); the figure keeps its name for whoever reads it by that.
  const figure = (value, text, className = '') => h('div', { class: `figure ${className}`, dataset: { figure: text } },
    h('span', { class: 'value' }, format.number(value)), h('span', { class: 'what' }, value === 1 && text === 'commitments' ? 'commitment' : text));
  return h('section', { class: 'key-figures', 'aria-label': 'Key figures' },
    figure(summary.commitments, 'commitments'),
    figure(achieved, 'achieved', 'good'),
    figure(summary.overdueCount, 'overdue', summary.overdueCount ? 'bad' : ''),
    figure(summary.dueWithin90DaysCount, 'due in 90 days'),
    figure(summary.byStatus['not-assessed'] ?? 0, 'not yet assessed'));
}

function statusChart(summary, filters) {
  // Each bar opens the list it counts: the other filters kept (until 2026-12-06 a bar counted under a kind opened every
  // commitment of that status).
  const kept = Object.fromEntries(Object.entries(filters).filter(([name, value]) => value !== '' && name !== 'status'));
  const items = format.statuses
    .filter(status => summary.byStatus[status])
    .map(status => ({ label: format.label(status), value: summary.byStatus[status], className: `status-${status}`,
      href: href('/', { ...kept, status }) }));
  return items.length ? barList('Commitments by status', items) : h('p', null, 'No commitments.');
}

function moneyCharts(summary) {
  const money = summary.money.filter(m => m.target || m.pledged || m.committed || m.disbursed);
  if (money.length === 0) return h('p', null, 'No money targets or pledges among these commitments.');
  return money.map(m => moneyBar(`In ${m.currency}: pledged, committed and disbursed against the money targets`,
    { ...m, target: m.target || null }));
}

function rowList(rows, describe, empty) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('ul', { class: 'row-list' }, rows.map(row => h('li', null,
    h('a', { href: href(`/commitments/${encodeURIComponent(row.key)}`), dir: 'auto' }, row.title),
    h('span', { class: 'meta' }, statusBadge(row.status), ' ', describe(row)))));
}

export function progressCell(row) {
  const fraction = row.progress?.fraction;
  if (fraction === null || fraction === undefined) return h('span', { class: 'muted' }, '—');
  // A share measured on a bound says it, "less than 80%", as the commitment's page does (until 2026-12-07 a bare "80%";
  // a past day's row stored before then has no measuredBy, and reads as before).
  const bound = row.progress.basis === 'reported' ? format.shareBound(row.measuredBy?.comparator, row.target) : '';
  return h('span', { class: 'mini-progress' },
    h('span', { class: 'mini-track', 'aria-hidden': 'true' },
      h('span', { class: 'mini-fill', style: { width: `${Math.min(fraction, 1) * 100}%` } })),
    bound ? `${bound} ${format.percent(fraction)}` : format.percent(fraction));
}

function commitmentTable(page, query, filtered) {
  if (page.total === 0) return h('p', { class: 'empty' }, filtered ? 'No commitment matches these filters.' : 'No commitments yet.');
  const at = n => href('/', { ...query, page: n > 1 ? n : null });
  // A page past the last (an old link, a hand-edited address) says which pages there are (until 2026-12-06 an empty table).
  if (page.items.length === 0) return pastTheLastPage(page, at, 'commitments');
  return [
    table('All commitments', ['Commitment', 'Kind', 'Status', 'Progress', 'Deadline'], page.items.map(row => [
      // A title in a script written right to left keeps its own direction, as the commitment's heading does (until
      // 2026-12-06 only the heading did, and a closing bracket moved to the wrong end in the lists).
      h('a', { href: href(`/commitments/${encodeURIComponent(row.key)}`), dir: 'auto' }, row.title),
      format.label(row.kind),
      statusBadge(row.status),
      progressCell(row),
      h('span', { class: row.overdue ? 'overdue' : '' }, row.dueBy ? (row.deadline?.precision && row.deadline.precision !== 'day' ? format.due(row.deadline, row.dueBy) : format.day(row.dueBy)) : '—', row.overdue ? ' (overdue)' : '')
    ]), { className: 'commitments' }),
    pager(page, at, 'commitments')
  ];
}
