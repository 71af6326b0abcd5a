// Builds DOM nodes without innerHTML: text is always text (no markup injection from the data), and no inline style
// attributes are written (the page's Content-Security-Policy forbids them; el.style is allowed).

const SVG = 'http://www.w3.org/2000/svg';

function assign(el, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'style') Object.assign(el.style, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An HTML element: h('a', { href: '#/' }, 'Overview'). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  assign(el, attrs);
  return append(el, children);
}

/** An SVG element, same shape as h. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  assign(el, attrs);
  return append(el, children);
}

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/**
 * A table whose rows stack on a phone: each row a block with its first cell as the heading and the others labelled by
 * their column (data-label), since five or six columns across 390 pixels left each a word wide (until 2026-12-07). The
 * roles are explicit because a table's rows laid out otherwise lose them in some browsers' accessibility trees.
 */
export function table(caption, headers, rows, { className } = {}) {
  return h('div', { class: 'table-wrap', dataset: { caption } },
    h('table', { class: ['stacks', className].filter(Boolean).join(' '), role: 'table' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', { role: 'row' }, headers.map(header => h('th', { scope: 'col', role: 'columnheader' }, header)))),
      h('tbody', null, rows.map(cells => h('tr', { role: 'row' }, cells.map((cell, i) =>
        i === 0 ? h('th', { scope: 'row', role: 'rowheader' }, cell) : h('td', { role: 'cell', 'data-label': headers[i] }, cell)))))));
}

export function section(title, ...children) {
  const id = 'section-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), children);
}

export function notice(text, ...more) {
  return h('p', { class: 'notice' }, text, more);
}

/**
 * A table wider than its card scrolls sideways, and only such a one is a stop for the keyboard (to scroll it with the
 * arrow keys) and a region named for that; one that fits is neither (until 2026-12-08 every table was both, an extra
 * Tab stop named as its section is, a landmark twice). Run whenever the page is laid out anew.
 */
export function markScrollingTables(root) {
  for (const wrap of root.querySelectorAll('.table-wrap')) {
    // One the reader is on stays a stop until they leave it (a window widened under them dropped focus to the body).
    if (wrap === document.activeElement) {
      wrap.addEventListener('blur', () => markScrollingTables(root), { once: true });
    } else if (wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.setAttribute('tabindex', '0');
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', `${wrap.dataset.caption} (scrolls sideways)`);
    } else {
      for (const name of ['tabindex', 'role', 'aria-label']) wrap.removeAttribute(name);
    }
  }
}
