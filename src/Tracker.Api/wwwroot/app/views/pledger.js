// One pledger across commitments: totals by stage in each currency, and each pledge with the commitment it counts towards.
import { get } from '../api.js';
import { h, section, table } from '../dom.js';
import * as format from '../format.js';
import { moneyBar } from '../charts.js';
import { href } from '../route.js';
import { pageParam, pager, pastTheLastPage } from '../parts.js';
import { presentOnly } from './pledgers.js';

export async function render({ args: [key], params, past }) {
  // A page of pledges at a time, as the API pages them: every pledge can be reached (until 2026-12-06 the first 100
  // only, and "?page=2" showed them again).
  const detail = await get(`/api/pledgers/${encodeURIComponent(key)}`, { pageSize: '100', page: pageParam(params) });
  const { pledger } = detail;
  const paged = { page: detail.page, pageSize: detail.pageSize, pageCount: detail.pageCount, total: pledger.pledgeCount };
  const at = n => href(`/pledgers/${encodeURIComponent(key)}`, { page: n > 1 ? n : null });
  const titles = new Map(await Promise.all([...new Set(pledger.pledges.map(p => p.commitmentKey))].map(async commitmentKey =>
    [commitmentKey, await get(`/api/commitments/${encodeURIComponent(commitmentKey)}`).then(c => c.title, () => commitmentKey)])));

  return h('div', { class: 'pledger' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: href('/pledgers') }, 'Pledgers'), ' › ', h('span', { dir: 'auto' }, pledger.name)),
    h('h1', { dir: 'auto' }, pledger.name),
    past ? presentOnly() : null,
    h('div', { class: 'grid two' }, pledger.totals.map(t => section(`In ${t.currency}`,
      moneyBar(`${pledger.name}: pledged, committed and disbursed in ${t.currency}`, { ...t, currency: t.currency, target: null }),
      h('p', { class: 'chart-note' }, `${format.money(t.outstanding, t.currency, { exact: true })} pledged and not yet disbursed.`)))),
    pledger.pledges.length === 0 && paged.page > 1 ? section('Pledges', pastTheLastPage(paged, at, 'pledges')) : section('Pledges',
      paged.pageCount > 1
        ? h('p', { class: 'muted' }, `Pledges ${format.number((paged.page - 1) * paged.pageSize + 1)} to ` +
          `${format.number((paged.page - 1) * paged.pageSize + pledger.pledges.length)} of ${format.number(pledger.pledgeCount)}, in the order they were announced.`)
        : null,
      table(`Pledges by ${pledger.name}`, ['Commitment', 'Pledge', 'Announced', 'Pledged', 'Committed', 'Disbursed', 'Outstanding'],
      pledger.pledges.map(p => [
        h('a', { href: href(`/commitments/${encodeURIComponent(p.commitmentKey)}`), dir: 'auto' }, titles.get(p.commitmentKey)),
        p.pledgeId,
        format.day(p.announcedOn),
        format.money(p.pledged, p.currency, { exact: true }),
        format.money(p.committed, p.currency, { exact: true }),
        format.money(p.disbursed, p.currency, { exact: true }),
        format.money(p.outstanding, p.currency, { exact: true })
      ])),
      pager(paged, at, 'pledges')));
}
