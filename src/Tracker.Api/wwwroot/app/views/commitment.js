// One commitment: how far it has come against its target, its status and why, its deadline, what each source document
// says, the pledges towards it, progress over time, and (for auditors) every recorded change.
import { ApiError, documentsByKey, get, pastParams } from '../api.js';
import { h, section, table } from '../dom.js';
import * as format from '../format.js';
import { moneyBar, progressBar, stepChart } from '../charts.js';
import { href } from '../route.js';
import { pastNeedsAuditor, signInButton, statusBadge, tag, pageParam, pager, pastTheLastPage } from '../parts.js';

/** A commitment not yet stated (or not yet recorded) in the past being viewed. */
class NotYetThere extends Error {
  constructor(key, past) {
    super(`Commitment '${key}' was not ${past.view === 'effective' ? 'yet stated' : 'yet recorded'} on ${format.day(past.asOf)}.`);
    this.key = key;
    this.past = past;
  }
}

export async function render(context) {
  try {
    return await renderCommitment(context);
  } catch (error) {
    if (!(error instanceof NotYetThere)) throw error;
    const today = `#/commitments/${encodeURIComponent(error.key)}`;
    return h('div', { class: 'card gate' },
      h('h1', null, 'Not there yet on that date'),
      h('p', null, error.message, ' ', error.past.view === 'effective'
        ? 'As things stood then, by everything known now, it had not been stated.'
        : 'The tracker had not recorded it by the end of that day.'),
      h('p', null, h('a', { href: today }, 'See it today'), ', or ', h('a', { href: href('/') }, 'the overview on that date'), '.'));
  }
}

async function renderCommitment({ args: [key], params, past, caller }) {
  if (past && !caller?.may?.audit) return pastNeedsAuditor(caller);
  const when = pastParams(past);
  const path = `/api/commitments/${encodeURIComponent(key)}`;
  // Not there in the past asked for, though it may be now: said so, with the way to the present (until 2026-12-07 only
  // "No such commitment" and the past's code, "(as-effective; on=...)").
  const notYet = async error => {
    // Only a commitment there today: a key that names nothing at all is the API's own 404.
    if (past && error instanceof ApiError && error.status === 404 && await get(path).then(() => true, () => false)) {
      throw new NotYetThere(key, past);
    }
    throw error;
  };

  // The commitment is a small model; its pledges and the facts recorded about it are pages of their own routes.
  const [commitment, trend, documents, history, facts, pledgePage] = await Promise.all([
    get(path, when).catch(notYet),
    get(`${path}/trend`, when).catch(() => null),
    documentsByKey().catch(() => new Map()),
    caller?.may?.audit ? get(`${path}/history`, { limit: '500' }).catch(error => error) : null,
    // In a past, the facts that stood then: as recorded, one retracted since is still there.
    get(`${path}/timeline`, { ...when, limit: '500' }).catch(notYet),
    past ? null : get(`${path}/pledges`, { pageSize: String(pledgesPerPage), page: pageParam(params, 'pledges') })
  ]);
  const end = past?.asOf ?? format.today();

  return h('article', { class: 'commitment' },
    // A title in a script written right to left keeps its own direction (dir="auto"): until 2026-12-06 an Arabic title
    // ending in "2025" read with the year first.
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: href('/') }, 'Overview'), ' › ',
      h('bdi', null, commitment.title)),
    h('h1', { dir: 'auto' }, commitment.title),
    h('p', { class: 'tags' }, statusBadge(commitment.status), ' ', tag(format.label(commitment.kind)), ' ',
      tag(format.label(commitment.lineOfEffort)), commitment.overdue ? [' ', h('span', { class: 'badge overdue' }, 'Overdue')] : null),
    h('div', { class: 'grid two' },
      section('Progress', progress(commitment)),
      section('At a glance', glance(commitment, documents))),
    trend ? section('Progress over time', trendChart(commitment, trend, end)) : null,
    section('What the sources say', [facts.next === undefined || facts.next === null ? null
      : h('p', { class: 'muted' }, `The first ${facts.items.length} facts recorded are shown; the rest are in the timeline's later pages.`),
      sources(facts.items, documents)]),
    commitment.kind === 'financial' || commitment.pledgeCount ? section('Pledges', pledges(pledgePage, commitment)) : null,
    section('History', timeline(history, past, caller, commitment.title)));
}

function progress(c) {
  const report = c.latestReport;
  const reportText = report ? `Latest report: ${format.reported(report)} as of ${format.day(report.asOf)}.` : null;
  // The figure the progress is measured on need not be the latest report: money is measured on the largest figure of a
  // stage (a disbursement reported after an announcement does not take it back), a count in the target's unit.
  const measured = c.progress?.basis === 'reported' ? c.measuredBy ?? report : null;
  // A bound measures at its stated value: the share is said with it, "less than 80%" (until 2026-12-07 a bare "80%").
  // (For a reduction the other way round: "more than 150 camps" of 200 → 100 is at most halfway.)
  const bound = format.shareBound(measured?.comparator, c.target) ? `${format.shareBound(measured.comparator, c.target)} ` : '';
  const measuredText = !measured ? ''
    : measured.version === report?.version ? ` That is ${bound}${format.percent(c.progress.fraction)} of the target.`
    : ` The progress, ${bound}${format.percent(c.progress.fraction)} of the target, is measured on ${format.reported(measured)} as of ` +
      `${format.day(measured.asOf)}${!c.target?.isMoney ? ', the latest count in the target\'s unit'
        : ['less-than', 'at-most', 'up-to'].includes(measured.comparator) ? ', a ceiling, as no other figure measures it'
        : ', the largest figure reported of a stage'}.`;
  if (c.target?.isMoney || c.kind === 'financial') {
    // The bar's stages are the members' own money; a disbursement reported in a document can put the money disbursed
    // higher, as the progress's disbursed share counts it (until 2026-12-07 the page said only "Disbursed €0").
    const membersDisbursed = c.target?.isMoney && c.target.amount ? Number(c.money.disbursed) / Number(c.target.amount) : null;
    // (The API's share is rounded to 4 places: only beyond that rounding is it more than the members'.)
    const reportedDisbursed = c.progress?.disbursedFraction != null && membersDisbursed !== null &&
      Number(c.progress.disbursedFraction) - membersDisbursed > 0.00005
      ? ` Figures reported in documents put the money disbursed at ${format.percent(c.progress.disbursedFraction)} of the target.` : '';
    return [
      moneyBar(`Money by stage in ${c.ledgerCurrency}${c.target ? ' against the target' : ''}`, {
        target: c.target?.isMoney ? c.target.amount : null, currency: c.ledgerCurrency, ...c.money,
        reported: (measured ?? report)?.ledgerFigure ?? null
      }),
      reportText ? h('p', { class: 'chart-note' }, reportText, measuredText, reportedDisbursed) : null
    ];
  }
  if (c.target && c.progress?.fraction !== undefined && c.progress?.fraction !== null) {
    // A bound measures at its stated value: the share is said with it, "less than 80%" (until 2026-12-07 a bare "80%").
    return progressBar(`Reported against the target of ${format.target(c.target)}`, c.progress.fraction,
      `${bound}${format.percent(c.progress.fraction)}: ${reportText ?? ''}${measured && measured.version !== report?.version ? measuredText : ''}`);
  }
  const status = c.statusDate ? `${format.label(c.status)} since ${format.day(c.statusDate)}.` : `${format.label(c.status)}.`;
  return [h('p', { class: 'big-status' }, statusBadge(c.status)), h('p', null, status), reportText ? h('p', null, reportText) : null,
    c.target ? h('p', null, `Target: ${format.target(c.target)}.`) : null];
}

// An achievement is on time or late by the due date in force on the day it took effect, which a later extension does
// not move: say which one, so "achieved late" beside a later due date explains itself.
function judgedAgainst(c) {
  const due = c.assessment?.dueByThen;
  if (!due) return null;
  return h('span', { class: 'muted' }, c.status === 'achieved-late'
    ? ` · after the due date then in force, ${format.day(due)}`
    : ` · by the due date then in force, ${format.day(due)}`);
}

function glance(c, documents) {
  const assessment = c.assessment;
  const stated = c.statedIn;
  const item = (term, ...value) => [h('dt', null, term), h('dd', null, value)];
  return h('dl', { class: 'facts' },
    item('Status', statusBadge(c.status), c.statusDate ? ` on ${format.day(c.statusDate)}` : '',
      judgedAgainst(c),
      // In its own direction: an Arabic rationale's full stop at its end, not before its first word (until 2026-12-08).
      assessment?.rationale ? h('span', { class: 'rationale', dir: 'auto' }, assessment.rationale) : null,
      c.status === 'not-assessed' ? h('span', { class: 'rationale' }, 'No monitor has assessed this commitment yet; that is not the same as no progress.') : null),
    item('Deadline', format.deadline(c.deadline), c.overdue ? h('strong', { class: 'overdue' }, ` · overdue${format.unknownOutcome(c)}`) : null),
    c.target ? item('Target', format.target(c.target)) : null,
    // Each in its own direction (a name in Arabic among Latin ones), isolated from the commas between them.
    item('Actors', ...c.actors.flatMap((actor, i) => [i > 0 ? ', ' : null, h('bdi', null, actor)])),
    item('First stated', documentLink(stated.documentKey, documents), stated.paragraph ? `, paragraph ${stated.paragraph}` : '',
      `, ${format.day(c.statedOn)}`),
    item('Sources', `${c.sourceCount} document${c.sourceCount === 1 ? '' : 's'}, restated ${c.restatementCount} time${c.restatementCount === 1 ? '' : 's'}`),
    item('Last changed', format.instant(c.lastChangedAt), ` (version ${c.version})`));
}

function documentLink(documentKey, documents, url) {
  const document = documents.get(documentKey);
  if (!document) return url ? h('a', { href: url, rel: 'noopener noreferrer external' }, url) : documentKey ?? 'Unregistered source';
  const named = `${document.title}${document.venue ? ` (${document.venue})` : ''}`;
  // A document registered without an address is named, not drawn as a link that goes nowhere.
  const address = url ?? document.url;
  return address
    ? h('a', { href: address, rel: 'noopener noreferrer external', title: document.title, dir: 'auto' }, named)
    : h('span', { class: 'document', dir: 'auto' }, named);
}

/** Every mention in the sources, oldest first: the statement, restatements, reports, assessments and evidence. */
function sources(entries, documents) {
  const mention = ({ type, data: d }) => {
    switch (type) {
      case 'commitment-stated': return { on: d.statedOn, what: 'Stated', quote: d.statedIn.quote, documentKey: d.statedIn.documentKey, paragraph: d.statedIn.paragraph, primary: true };
      case 'commitment-restated': return { on: d.restatedOn, what: 'Restated', quote: d.restatedIn.quote, documentKey: d.restatedIn.documentKey, paragraph: d.restatedIn.paragraph, primary: true };
      case 'progress-reported': return { on: d.asOf, what: `Reported ${format.reported(d)}`, ...evidence(d.source) };
      case 'status-assessed': return {
        on: d.assessedOn,
        what: `Assessed ${format.label(d.status).toLowerCase()}` +
          (d.effectiveOn && d.effectiveOn !== d.assessedOn ? `, in effect since ${format.day(d.effectiveOn)}` : ''),
        ...evidence(d.source)
      };
      default: return { on: d.evidence.on, what: 'Evidence', ...evidence(d.evidence) };
    }
  };
  const mentions = entries.map(mention).sort((a, b) => (a.on ?? '').localeCompare(b.on ?? ''));

  return h('ol', { class: 'mentions' }, mentions.map(m => h('li', null,
    h('p', { class: 'mention-head' }, h('strong', null, m.what), m.on ? ` · ${format.day(m.on)}` : '',
      ' ', tag(m.primary ? 'primary source' : 'secondary source')),
    // In the quote's own direction: an Arabic quote reads right to left, its marks where its text begins.
    m.quote ? h('blockquote', { dir: 'auto' }, `“${m.quote}”`) : null,
    m.note ? h('p', { class: 'note', dir: 'auto' }, m.note) : null,
    h('p', { class: 'cite' }, '— ', documentLink(m.documentKey, documents, m.url), m.paragraph ? `, paragraph ${m.paragraph}` : ''))));
}

const pledgesPerPage = 100;

function evidence(source) {
  return { documentKey: source?.documentKey, url: source?.url, primary: source?.primary, note: source?.note };
}

function pledges(page, c) {
  if (page === null) {
    return h('p', { class: 'muted' }, 'The totals above are as they were then; each pledge is listed in the present view.');
  }
  const at = n => href(`/commitments/${encodeURIComponent(c.key)}`, { pledges: n > 1 ? n : null });
  if (page.items.length === 0 && page.total > 0) return pastTheLastPage(page, at, 'pledges');
  if (page.items.length === 0) {
    return h('p', { class: 'empty' }, 'No pledges are recorded against this commitment. ',
      c.latestReport ? 'The figures reported for it are aggregates that name no pledger.' : '');
  }
  // A page at a time: a pledge drive of thousands of pledges is listed in full, a page after another (until 2026-12-06
  // the first 500 only, with no word of the rest).
  return [table('Pledges, in the order recorded', ['Pledger', 'Announced', 'Pledged', 'Committed', 'Disbursed', `In ${c.ledgerCurrency}`], page.items.map(p => [
    // By its key, which finds the pledger whatever spelling this pledge gave its name.
    h('a', { href: href(`/pledgers/${encodeURIComponent(p.pledgerKey)}`), dir: 'auto' }, p.pledger),
    format.day(p.announcedOn),
    format.money(p.amount.amount, p.amount.currency, { exact: true }),
    format.money(p.committed, p.amount.currency, { exact: true }),
    format.money(p.disbursed, p.amount.currency, { exact: true }),
    // Exact, as the amounts beside it are ("$1" beside "$1.01" until 2026-12-06).
    format.money(p.ledgerAmount, c.ledgerCurrency, { exact: true })
  ])), pager(page, at, 'pledges')];
}

function trendChart(c, trend, end) {
  const points = trend.points;
  const series = (name, className, value) => ({ name, className, points: points.map(p => ({ on: p.on, value: value(p) })) });
  if (c.target?.isMoney || c.kind === 'financial') {
    // Only figures in the ledger currency are drawn against its axis: a figure in another currency without a rate, or a
    // count, is no amount of it (until 2026-12-07 such a figure was drawn as if it were).
    return stepChart(`Money towards the target over time, in ${trend.ledgerCurrency}`, [
      series('Reported in documents', 'reported', p => p.reportedUnit === trend.ledgerCurrency ? p.reported ?? null : null),
      series('Pledged', 'pledged', p => p.money.pledged || null),
      series('Committed', 'committed', p => p.money.committed || null),
      series('Disbursed', 'disbursed', p => p.money.disbursed || null)
    ], { end, target: c.target?.isMoney ? c.target.amount : null, formatValue: v => format.money(v, trend.ledgerCurrency),
      formatExact: v => format.money(v, trend.ledgerCurrency, { exact: true }) })
      ?? h('p', { class: 'empty' }, 'No money has been reported or pledged yet.');
  }
  // Against a count target only counts in its unit are drawn (units compare ignoring case, as the progress rule's do).
  const inUnit = p => !c.target?.unit || p.reportedUnit?.toLowerCase() === c.target.unit.toLowerCase();
  if (points.some(p => p.reported !== null && p.reported !== undefined && inUnit(p))) {
    return stepChart(`Reported figure over time${c.target?.unit ? ` (${c.target.unit})` : ''}`, [
      series('Reported', 'reported', p => inUnit(p) ? p.reported ?? null : null)
    ], { end, target: c.target?.amount ?? null, formatExact: format.figure });
  }
  return stepChart('Progress over time (100% is achieved)', [series('Progress', 'reported', p => p.fraction ?? null)],
    { end, target: 1, formatValue: format.percent })
    // An assessed status with no figure to draw is not "nothing yet" (until 2026-12-06 it read so beside "In progress").
    ?? h('p', { class: 'empty' }, c.status === 'not-assessed'
      ? 'No progress has been reported or assessed yet.'
      : 'No figure measures its progress over time; its status and the assessment behind it are above.');
}

function timeline(history, past, caller, title) {
  if (history === null) {
    return h('div', { class: 'gate' },
      h('p', null, 'Every change to this commitment is recorded with who made it, when, why and the source. ',
        caller?.authenticated ? 'Your role does not include the audit views.' : 'Auditors can read the full history.'),
      caller?.authenticated ? null : signInButton('Sign in as an auditor'));
  }
  if (history instanceof ApiError) return h('p', { class: 'problem' }, history.message);

  const more = history.next === undefined || history.next === null ? null
    : h('p', { class: 'muted' }, `The first ${history.items.length} events are shown; the full history is in the CSV export.`);
  // As effective, by everything known now: a retraction has no date of its own (it takes its fact out of every date), so
  // it is listed whatever the date, and the fact it retracted says so (until 2026-12-06 a retracted report showed as if
  // it stood). As recorded, what was recorded by then.
  // The version a retraction takes back (retractedVersion; correctedVersion in corrections stored before retractions).
  const retracts = entry => entry.data?.retractedVersion ?? entry.data?.correctedVersion ?? null;
  const byVersion = new Map(history.items.map(entry => [entry.version, entry]));
  const inEffect = entry => (entry.effectiveOn ?? entry.recordedAt.slice(0, 10)) <= past.asOf;
  const shown = history.items.filter(entry => !past || (past.view === 'effective'
    // A retraction is listed with the fact it takes back, where that fact took effect by the date.
    ? (retracts(entry) !== null ? byVersion.has(Number(retracts(entry))) && inEffect(byVersion.get(Number(retracts(entry)))) : inEffect(entry))
    : format.recordedBy(entry.recordedAt, past.asOf)));
  const retractedBy = new Map(shown.filter(entry => retracts(entry) !== null).map(entry => [Number(retracts(entry)), entry.version]));
  if (shown.length === 0) return h('p', { class: 'empty' }, 'Nothing was recorded by then.');
  return [more, h('ol', { class: 'timeline', reversed: true }, shown.slice().reverse().map(entry => h('li', null,
    h('p', { class: 'when' }, h('time', { datetime: entry.recordedAt }, format.instant(entry.recordedAt)),
      ' · ', h('span', { class: 'who' }, entry.actor),
      entry.effectiveOn ? h('span', { class: 'muted' }, ` · takes effect ${format.day(entry.effectiveOn)}`) : null),
    // The commitment's title and the entry's reason, where the summary quotes them, each in its own direction (an
    // Arabic title or rationale among English words: until 2026-12-08 its full stop was drawn before its first word).
    h('p', { class: 'what' }, h('strong', null, format.label(entry.type)), ': ', isolated(entry.summary, [title, entry.reason]),
      retractedBy.has(entry.version) ? [' ', h('span', { class: 'badge retracted' }, `retracted in version ${retractedBy.get(entry.version)}`)] : null),
    // A reason the summary already ends with (an assessment's rationale, evidence's note) is not said twice.
    entry.reason && !entry.summary.endsWith(`: ${entry.reason}`)
      ? h('p', { class: 'why' }, h('span', { class: 'muted' }, 'Why: '), h('bdi', null, entry.reason)) : null,
    h('p', { class: 'meta muted' }, `version ${entry.version} · correlation ${entry.correlationId}`))))];
}

/** The text with each place it quotes one of the parts (a title, a reason) isolated in that part's own direction. */
function isolated(text, parts) {
  const quoted = parts.filter(part => part && text.includes(part)).sort((a, b) => b.length - a.length);
  const pieces = [];
  let rest = text;
  while (rest) {
    const next = quoted.map(part => [rest.indexOf(part), part]).filter(([at]) => at >= 0).sort(([a], [b]) => a - b)[0];
    if (!next) { pieces.push(rest); break; }
    const [at, part] = next;
    if (at > 0) pieces.push(rest.slice(0, at));
    pieces.push(h('bdi', null, part));
    rest = rest.slice(at + part.length);
  }
  return pieces;
}
