// Charts drawn from the read models: HTML bars where text must stay text, SVG for lines over time. Every chart has a
// caption, its numbers in visible text or a data table, and colours that pass contrast against white.
import { h, s, table } from './dom.js';
import * as format from './format.js';

/** Horizontal bars with their labels and values as text: status counts and the like. */
export function barList(caption, items, { describe = item => format.number(item.value) } = {}) {
  const max = Math.max(1, ...items.map(item => item.value));
  return h('figure', { class: 'chart bar-list' },
    h('figcaption', null, caption),
    h('ul', null, items.map(item => {
      const name = item.href ? h('a', { href: item.href }, item.label) : item.label;
      return h('li', null,
        h('span', { class: 'bar-label' }, name),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' },
          h('span', { class: `bar-fill ${item.className ?? ''}`, style: { width: `${(item.value / max) * 100}%` } })),
        h('span', { class: 'bar-value' }, describe(item)));
    })));
}

/**
 * Money by stage in one bar, against the target. Stages overlap (disbursed money was committed and pledged first, when
 * recorded), so the bar shows disbursed, then committed beyond that, then pledged beyond that; the legend gives each
 * stage's own total.
 */
export function moneyBar(caption, { target, pledged, committed, disbursed, currency, reported }) {
  const committedBeyond = Math.max(committed - disbursed, 0);
  const pledgedBeyond = Math.max(pledged - Math.max(committed, disbursed), 0);
  const scale = Math.max(target ?? 0, pledged, committed, disbursed, reported ?? 0, 1);
  const width = value => `${(value / scale) * 100}%`;
  const summary = [`Pledged ${format.money(pledged, currency, { exact: true })}`,
    `committed ${format.money(committed, currency, { exact: true })}`,
    `disbursed ${format.money(disbursed, currency, { exact: true })}`,
    target ? `of a target of ${format.money(target, currency, { exact: true })}` : 'no money target'].join(', ');

  return h('figure', { class: 'chart money-bar' },
    h('figcaption', null, caption),
    h('div', { class: 'stack', role: 'img', 'aria-label': summary },
      // A white gap before a stage that follows another drawn one, so that they are told apart by more than their blues.
      [['disbursed', disbursed], ['committed', committedBeyond], ['pledged', pledgedBeyond]].map(([stage, value], i, stages) =>
        h('span', { class: `segment ${stage}${value > 0 && stages.slice(0, i).some(([, before]) => before > 0) ? ' follows' : ''}`,
          style: { width: width(value) } })),
      target ? h('span', { class: 'target-mark', style: { left: `calc(${width(target)} - 2px)` }, title: 'Target' }) : null,
      reported ? h('span', { class: 'reported-mark', style: { left: `calc(${width(reported)} - 1px)` }, title: 'Reported' }) : null),
    h('dl', { class: 'legend' },
      legendItem('disbursed', 'Disbursed', format.money(disbursed, currency), target ? format.percent(disbursed / target) : ''),
      legendItem('committed', 'Committed', format.money(committed, currency), target ? format.percent(committed / target) : ''),
      legendItem('pledged', 'Pledged', format.money(pledged, currency), target ? format.percent(pledged / target) : ''),
      target ? legendItem('target', 'Target', format.money(target, currency), '') : null,
      reported ? legendItem('reported', 'Reported in documents', format.money(reported, currency), target ? format.percent(reported / target) : '') : null));
}

function legendItem(className, name, value, share) {
  return h('div', { class: 'legend-item' },
    h('dt', null, h('span', { class: `swatch ${className}`, 'aria-hidden': 'true' }), name),
    h('dd', null, value, share ? h('span', { class: 'share' }, ` (${share} of target)`) : null));
}

/** One quantity against its target: reported figure or progress fraction. */
export function progressBar(caption, fraction, text) {
  const shown = Math.max(0, Math.min(fraction ?? 0, 1));
  return h('figure', { class: 'chart progress' },
    h('figcaption', null, caption),
    // The value within the bar's range (150% of a target is a full bar), the figure itself in the text (until 2026-12-06 a
    // value past the maximum, which ARIA does not allow).
    h('div', { class: 'stack', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
      'aria-valuenow': Math.round(shown * 100), 'aria-valuetext': text },
      h('span', { class: 'segment reported', style: { width: `${shown * 100}%` } })),
    h('p', { class: 'chart-note' }, text));
}

/**
 * Values over time as step lines (a value holds until the next change), ending at the day the view is about. Series:
 * [{ name, className, points: [{ on: '2024-09-30', value }] }]. A dashed line marks the target when there is one.
 */
// formatValue writes the axis (compact); formatExact the table behind the chart and each point's tooltip, which give the
// figure whole (until 2026-12-06 the table, the chart's accessible copy, rounded 12,345.5 to 12.3K).
export function stepChart(caption, series, { end, target, formatValue = format.compact, formatExact = formatValue, unit = '' }) {
  const drawn = series.filter(line => line.points.some(p => p.value !== null && p.value !== undefined));
  if (drawn.length === 0) return null;
  // Drawn at the width it will show at (up to 640), so its text stays legible on a phone.
  const width = Math.round(Math.min(640, Math.max(300, (document.getElementById('main')?.clientWidth ?? 640) - 64)));
  const height = 240, left = 64, right = 16, top = 16, bottom = 32;
  const dates = drawn.flatMap(line => line.points.map(p => Date.parse(p.on)));
  const first = Math.min(...dates);
  const last = Math.max(Date.parse(end), ...dates);
  const span = Math.max(last - first, 86_400_000 * 30);
  const step = niceStep(Math.max(target ?? 0, ...drawn.flatMap(line => line.points.map(p => p.value ?? 0))) || 1);
  const ticks = [];
  for (let value = 0; ticks.length === 0 || ticks.at(-1) < Math.max(target ?? 0, ...drawn.flatMap(line => line.points.map(p => p.value ?? 0))); value += step) {
    ticks.push(value);
  }
  const max = ticks.at(-1) || 1;
  const x = on => left + ((Date.parse(on) - first) / span) * (width - left - right);
  const y = value => top + (1 - value / max) * (height - top - bottom);
  const titleId = `chart-${Math.random().toString(36).slice(2)}`;

  const marks = timeMarks(first, first + span);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': titleId, class: 'step-chart' },
    s('title', { id: titleId }, `${caption}: ${drawn.map(line => `${line.name} ${describeLast(line, formatValue, unit)}`).join('; ')}`),
    ticks.map(value => s('g', { class: 'grid' },
      s('line', { x1: left, x2: width - right, y1: y(value), y2: y(value) }),
      s('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end' }, formatValue(value)))),
    // A label near either end is anchored there, inside the chart (until 2026-12-08 the last read "Jan 202" on a phone).
    marks.map(mark => s('g', { class: 'grid' },
      s('line', { x1: x(mark.on), x2: x(mark.on), y1: top, y2: height - bottom }),
      s('text', { x: x(mark.on), y: height - bottom + 18,
        'text-anchor': x(mark.on) > width - right - 30 ? 'end' : x(mark.on) < left + 30 ? 'start' : 'middle' }, mark.label))),
    target ? s('g', { class: 'target' },
      s('line', { x1: left, x2: width - right, y1: y(target), y2: y(target) }),
      s('text', { x: width - right, y: y(target) - 6, 'text-anchor': 'end' }, `Target ${formatValue(target)}`)) : null,
    drawn.map(line => {
      const points = line.points.filter(p => p.value !== null && p.value !== undefined);
      let path = '';
      points.forEach((p, i) => {
        path += i === 0 ? `M${x(p.on)},${y(p.value)}` : `H${x(p.on)}V${y(p.value)}`;
      });
      path += `H${x(end)}`;
      // A marker where the line moves, and never two within 8 pixels of each other: with many dates (a pledge drive
      // of a hundred points) the markers overlapped into a thick bar until 2026-12-07. The table below has every point.
      const marked = [];
      points.forEach((p, i) => {
        const moved = i === 0 || p.value !== points[i - 1].value;
        const clear = marked.length === 0 || x(p.on) - x(marked.at(-1).on) >= 8 || Math.abs(y(p.value) - y(marked.at(-1).value)) >= 8;
        if (moved && clear) marked.push(p);
      });
      return s('g', { class: `series ${line.className}` },
        s('path', { d: path }),
        marked.map(p => s('circle', { cx: x(p.on), cy: y(p.value), r: 3.5 },
          s('title', null, `${line.name}: ${formatExact(p.value)}${unit} on ${format.day(p.on)}`))));
    }));

  const rows = [...new Set(drawn.flatMap(line => line.points.map(p => p.on)))].sort().map(on =>
    [format.day(on), ...drawn.map(line => {
      const point = line.points.find(p => p.on === on);
      return point?.value === null || point?.value === undefined ? '' : `${formatExact(point.value)}${unit}`;
    })]);

  return h('figure', { class: 'chart steps' },
    h('figcaption', null, caption),
    // Each line's own colour and dash, as drawn.
    h('ul', { class: 'series-legend' }, drawn.map(line =>
      h('li', null, s('svg', { class: `legend-line series ${line.className}`, width: 28, height: 10, 'aria-hidden': 'true', focusable: 'false' },
        s('line', { x1: 1, y1: 5, x2: 27, y2: 5 })), line.name))),
    svg,
    h('details', null, h('summary', null, 'Show the figures as a table'),
      table(caption, ['Date', ...drawn.map(line => line.name)], rows)));
}

/** Marks on the time axis: the first of each year, or of every month or quarter when the line spans less than two years. */
function timeMarks(first, last) {
  const start = new Date(first);
  const years = (last - first) / (365.25 * 86_400_000);
  const months = years >= 2 ? 12 : years >= 0.75 ? 3 : 1;
  const marks = [];
  for (let i = 1; ; i++) {
    const at = Date.UTC(start.getUTCFullYear(), months === 12 ? 12 * i : start.getUTCMonth() - (start.getUTCMonth() % months) + months * i, 1);
    if (at > last) break;
    const day = new Date(at);
    marks.push({
      on: day.toISOString().slice(0, 10),
      label: months === 12 ? String(day.getUTCFullYear())
        : day.toLocaleDateString('en-GB', { month: 'short', year: day.getUTCMonth() === 0 || marks.length === 0 ? 'numeric' : undefined, timeZone: 'UTC' })
    });
  }
  return marks;
}

/** A round step (1, 2 or 5 times a power of ten) that splits 0…max into at most five bands. */
function niceStep(max) {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map(m => m * power).find(step => step >= rough);
}

function describeLast(line, formatValue, unit) {
  const points = line.points.filter(p => p.value !== null && p.value !== undefined);
  const last = points[points.length - 1];
  return last ? `${formatValue(last.value)}${unit} on ${format.day(last.on)}` : 'no figure';
}
