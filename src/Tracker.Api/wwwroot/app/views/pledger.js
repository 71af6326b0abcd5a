// One pledger across commitments: totals by stage in each currency, and each pledge with the commitment it counts towards.
import { get } from '../api.js';
import { h, section, table } from '../dom.js';
import * as format from '../format.js';
import { moneyBar } from '../charts.js';
import { href } from '../route.js';
import { presentOnly } from './pledgers.js';

export async function render({ args: [key], past }) {
  const { pledger } = await get(`/api/pledgers/${encodeURIComponent(key)}`, { pageSize: '100' });
  const titles = new Map(await Promise.all([...new Set(pledger.pledges.map(p => p.commitmentKey))].map(async commitmentKey =>
    [commitmentKey, await get(`/api/commitments/${encodeURIComponent(commitmentKey)}`).then(c => c.title, () => commitmentKey)])));

  return h('div', { class: 'pledger' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: href('/pledgers') }, 'Pledgers'), ' › ', pledger.name),
    h('h1', null, pledger.name),
    past ? presentOnly() : null,
    h('div', { class: 'grid two' }, pledger.totals.map(t => section(`In ${t.currency}`,
      moneyBar(`${pledger.name}: pledged, committed and disbursed in ${t.currency}`, { ...t, currency: t.currency, target: null }),
      h('p', { class: 'chart-note' }, `${format.money(t.outstanding, t.currency, { exact: true })} pledged and not yet disbursed.`)))),
    section('Pledges', pledger.pledgeCount > pledger.pledges.length
      ? h('p', { class: 'muted' }, `The first ${pledger.pledges.length} of ${pledger.pledgeCount} pledges.`) : null, table(`Pledges by ${pledger.name}`, ['Commitment', 'Pledge', 'Announced', 'Pledged', 'Committed', 'Disbursed', 'Outstanding'],
      pledger.pledges.map(p => [
        h('a', { href: href(`/commitments/${encodeURIComponent(p.commitmentKey)}`) }, titles.get(p.commitmentKey)),
        p.pledgeId,
        format.day(p.announcedOn),
        format.money(p.pledged, p.currency, { exact: true }),
        format.money(p.committed, p.currency, { exact: true }),
        format.money(p.disbursed, p.currency, { exact: true }),
        format.money(p.outstanding, p.currency, { exact: true })
      ]))));
}
