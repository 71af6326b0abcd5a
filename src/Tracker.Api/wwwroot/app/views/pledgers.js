// Who pledged what across commitments: every pledger with their totals by stage in each currency pledged.
import { get } from '../api.js';
import { h, section, table } from '../dom.js';
import * as format from '../format.js';
import { barList } from '../charts.js';
import { href } from '../route.js';
import { pageParam, pager, pastTheLastPage } from '../parts.js';

export async function render({ params, past }) {
  // A page at a time, as the list pages them: every pledger can be reached (until 2026-12-06 the first 100 only).
  const list = await get('/api/pledgers', { pageSize: String(pageSize), page: pageParam(params) });
  const currencies = [...new Set(list.items.flatMap(p => p.totals.map(t => t.currency)))].sort();
  const at = n => href('/pledgers', { page: n > 1 ? n : null });
  const onThisPage = list.pageCount > 1 ? ' on this page' : '';

  return h('div', { class: 'pledgers' },
    h('h1', null, 'Pledgers'),
    past ? presentOnly() : null,
    h('p', { class: 'lede' }, 'What each pledger pledged, committed and disbursed, across every commitment they pledged to.'),
    list.pageCount > 1 && list.items.length > 0
      ? h('p', { class: 'muted' }, `Pledgers ${format.number((list.page - 1) * list.pageSize + 1)} to ` +
        `${format.number((list.page - 1) * list.pageSize + list.items.length)} of ${format.number(list.total)}, by name.`) : null,
    list.items.length === 0 && list.total > 0 ? pastTheLastPage(list, at, 'pledgers')
    : list.items.length === 0
      ? h('p', { class: 'empty card' }, 'No pledges are recorded yet: monitors record each pledge as it is announced, ',
        'with who made it. Aggregate figures a text reports without naming who gave what are on each commitment’s page.')
      : [
          h('div', { class: 'grid two' }, currencies.map(currency => section(`Pledged in ${currency}`,
            barList(`Pledged in ${currency}, by pledger${onThisPage}`, list.items
              .map(p => ({ pledger: p, total: p.totals.find(t => t.currency === currency) }))
              .filter(x => x.total)
              .sort((a, b) => b.total.pledged - a.total.pledged)
              .map(x => ({ label: x.pledger.name, value: x.total.pledged, total: x.total, className: 'pledged',
                href: href(`/pledgers/${encodeURIComponent(x.pledger.key)}`) })),
              { describe: item => `${format.money(item.total.pledged, currency)} pledged · ${format.money(item.total.disbursed, currency)} disbursed` })))),
          section('All pledgers', table('All pledgers', ['Pledger', 'Pledges', 'Pledged', 'Committed', 'Disbursed', 'Outstanding', 'Days to first disbursement'],
            list.items.map(p => [
              h('a', { href: href(`/pledgers/${encodeURIComponent(p.key)}`), dir: 'auto' }, p.name),
              format.number(p.pledgeCount),
              lines(p.totals, t => format.money(t.pledged, t.currency, { exact: true })),
              lines(p.totals, t => format.money(t.committed, t.currency, { exact: true })),
              lines(p.totals, t => format.money(t.disbursed, t.currency, { exact: true })),
              lines(p.totals, t => format.money(t.outstanding, t.currency, { exact: true })),
              p.averageDaysToFirstDisbursement === undefined || p.averageDaysToFirstDisbursement === null
                ? '—' : `${format.number(Math.round(p.averageDaysToFirstDisbursement))} days on average`
            ]))),
          pager(list, at, 'pledgers')
        ]);
}

const pageSize = 100;

/** One line per currency: totals are never converted into one another. */
export function lines(totals, show) {
  return totals.map((t, i) => [i > 0 ? h('br') : null, show(t)]);
}

export function presentOnly() {
  return h('p', { class: 'notice' }, 'The pledger pages show the present; the past view applies to the overview and to commitments.');
}
