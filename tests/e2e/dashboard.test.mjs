// The dashboard as a reader uses it, in a real headless Chromium against the seeded service: the overview, filters, a
// commitment, a monitor's pledge showing up, an auditor moving the date back, the pledger page, a phone, the keyboard.
// Every number the page shows is checked against what the JSON API answers for the same question.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, baseUrl, compactMoney, dayBefore, demoKeys, launchBrowser, openPage, screenshot, waitForSeededService, writeTimings
} from './harness.mjs';

let browser, page, record, seeded, goal;
const timings = {};

async function figure(name) {
  return Number((await page.locator(`[data-figure="${name}"] .value`).innerText()).replace(/,/g, ''));
}

async function stage(name) {
  return page.locator('.legend-item', { has: page.locator('dt', { hasText: new RegExp(`^${name}$`) }) }).locator('dd').first().innerText();
}

async function travel(date, view) {
  await page.fill('#tt-date', date);
  await page.selectOption('#tt-view', view);
  await page.click('#time-travel button[type="submit"]');
  await page.waitForFunction(d => location.hash.includes(`asOf=${d}`), date);
  await settle();
}

// The page for the current address is rendered: the app marks which address it shows, since the hashchange that
// renders a new page comes after the address changed (waiting for the address alone could read the previous page).
async function settle(on = page) {
  await on.waitForFunction(() => {
    const main = document.querySelector('main');
    return main && !main.hasAttribute('aria-busy') && main.dataset.shows === location.hash && main.querySelector('h1');
  });
}

describe('the dashboard', () => {
  before(async () => {
    seeded = await waitForSeededService();
    const list = await api('/api/commitments?pageSize=100');
    goal = list.items.find(c => c.target?.isMoney);
    assert.ok(goal, 'the seed catalogue holds a commitment with a money target');
    browser = await launchBrowser();
    ({ page, record } = await openPage(browser));
  });

  after(async () => {
    await writeTimings(timings);
    await browser?.close();
  });

  it('opens on an overview whose figures are those of the API', async () => {
    const started = Date.now();
    await page.goto(`${baseUrl}/`);
    await settle();
    timings.overviewMs = Date.now() - started;
    timings.navigation = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return { domContentLoadedMs: Math.round(n.domContentLoadedEventEnd), loadMs: Math.round(n.loadEventEnd), transferBytes: n.transferSize };
    });

    const dashboard = await api('/api/dashboard');
    assert.equal(await page.locator('h1').innerText(), 'Overview');
    assert.equal(await figure('commitments'), seeded);
    assert.equal(await figure('commitments'), dashboard.commitments);
    assert.equal(await figure('overdue'), dashboard.overdueCount);
    assert.equal(dashboard.overdueCount, dashboard.overdue.length, 'the seed catalogue lists every overdue commitment');
    assert.equal(await figure('due in 90 days'), dashboard.dueWithin90DaysCount);
    const overdue = await page.locator('section[aria-labelledby="section-overdue"] li a').allInnerTexts();
    assert.deepEqual(overdue, dashboard.overdue.map(row => row.title));
    // The sources say nothing of whether the overdue meetings took place: the tracker says so, not "unachieved".
    const overdueSection = await page.locator('section[aria-labelledby="section-overdue"]').innerText();
    assert.match(overdueSection, /no evidence either way/);
    assert.doesNotMatch(overdueSection, /unachieved/i);
    // Figures that measure progress are evidence: an overdue drive pledged past its target does not read "no evidence".
    // Rows shaped as the list's and the dashboard's are (progress with its basis, measuredBy with its comparator).
    const outcomes = await page.evaluate(async () => {
      const { unknownOutcome } = await import('/app/format.js');
      const row = (fraction, basis, comparator) =>
        ({ overdue: true, status: 'not-assessed', progress: { fraction, basis }, measuredBy: comparator ? { comparator } : null });
      return [row(0.4, 'pledged'), row(2.2, 'pledged'), row(1.2, 'reported', 'at-most'), row(1.2, 'reported', 'more-than'), row(null, 'none')]
        .map(unknownOutcome);
    });
    assert.deepEqual(outcomes, ['', ' · its figures reach the target, not yet assessed', '', ' · its figures reach the target, not yet assessed',
      ' · no evidence either way']);
    const bars = await page.locator('.bar-list li').evaluateAll(items => Object.fromEntries(items.map(item =>
      [item.querySelector('.bar-label').textContent.toLowerCase().replace(/ /g, '-'), Number(item.querySelector('.bar-value').textContent)])));
    assert.deepEqual(bars, dashboard.byStatus, 'one bar per status, with its count');
    assert.equal(await page.locator('table.commitments tbody tr').count(), Math.min(seeded, 50));
    // A share measured on a bound says it ("more than 51%"), as the commitment's page does.
    const listed = await api('/api/commitments?sort=title&order=asc&page=1&pageSize=50');
    const progressCells = await page.locator('table.commitments tbody tr td:nth-of-type(3)').allInnerTexts();
    const bounded = listed.items.map((row, i) => [row, progressCells[i]]).filter(([row]) => row.measuredBy?.comparator === 'more-than');
    assert.ok(bounded.length > 0, 'the seed catalogue has a share measured on a lower bound');
    for (const [row, cell] of bounded) assert.match(cell, /^more than \d/, row.key);
    await screenshot(page, 'overview');
  });

  it('narrows every figure by line of effort, and searches titles', async () => {
    // Choosing changes nothing until Apply (a keyboard user steps through the options with the arrow keys).
    const before = await page.evaluate(() => location.hash);
    await page.focus('#filter-lineOfEffort');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => location.hash), before);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'filter-lineOfEffort');
    await page.selectOption('#filter-lineOfEffort', goal.lineOfEffort);
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(line => location.hash.includes(`lineOfEffort=${line}`), goal.lineOfEffort);
    await settle();
    const narrowed = await api(`/api/dashboard?lineOfEffort=${goal.lineOfEffort}`);
    assert.equal(await figure('commitments'), narrowed.commitments);
    assert.ok(narrowed.commitments < seeded);
    // Each status bar opens the list it counts, the line of effort kept.
    const statusLinks = await page.locator('section[aria-labelledby="section-status"] a').evaluateAll(links => links.map(a => a.getAttribute('href')));
    assert.ok(statusLinks.length > 0);
    for (const link of statusLinks) assert.match(link, new RegExp(`lineOfEffort=${goal.lineOfEffort}`));

    await page.click('a.button:has-text("Clear")');
    await page.waitForFunction(() => !location.hash.includes('lineOfEffort'));
    await settle();
    await page.fill('#filter-q', 'iraq');
    await page.press('#filter-q', 'Enter');
    await page.waitForFunction(() => location.hash.includes('q=iraq'));
    await settle();
    const found = await api('/api/commitments?q=iraq&pageSize=100');
    const titles = await page.locator('table.commitments tbody tr th a').allInnerTexts();
    assert.equal(titles.length, found.total);
    assert.ok(titles.length > 0);
    for (const title of titles) assert.match(title, /iraq/i);
  });

  it('opens a commitment: progress against the target, its sources, and the history kept for auditors', async () => {
    await page.click('a.button:has-text("Clear")');
    await settle();
    // From the table, scrolled down to it: the commitment opens at its top (until 2026-12-07 where the overview had been).
    await page.locator(`table.commitments a:text-is("${goal.title}")`).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, 200));
    assert.ok(await page.evaluate(() => window.scrollY) > 0, 'the overview is scrolled');
    await page.click(`table.commitments a:text-is("${goal.title}")`);
    await page.waitForFunction(key => location.hash.includes(`/commitments/${key}`), goal.key);
    await settle();
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    const commitment = await api(`/api/commitments/${goal.key}`);
    assert.equal(await page.locator('h1').innerText(), commitment.title);
    assert.equal(await stage('Target'), await compactMoney(page, commitment.target.amount, commitment.target.currency));
    assert.match(await stage('Pledged'), new RegExp(`^${escape(await compactMoney(page, commitment.money.pledged, commitment.ledgerCurrency))}`));
    const sources = await page.locator('section[aria-labelledby="section-what-the-sources-say"]').innerText();
    assert.ok(sources.includes(commitment.statedIn.quote), 'the statement is quoted');
    const { items: documents } = await api('/api/documents?pageSize=500');
    const stated = documents.find(d => d.key === commitment.statedIn.documentKey);
    assert.equal(await page.locator(`a[href="${stated.url}"]`).first().innerText(), `${stated.title} (${stated.venue})`);
    assert.ok(await page.locator('svg.step-chart').count() > 0, 'progress over time is drawn');
    // A marker where a line moves, none on top of another of its line.
    const crowded = await page.locator('svg.step-chart g.series').evaluateAll(lines => lines.flatMap(line => {
      const dots = [...line.querySelectorAll('circle')].map(c => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]);
      return dots.slice(1).filter(([x, y], i) => x - dots[i][0] < 8 && Math.abs(y - dots[i][1]) < 8);
    }));
    assert.deepEqual(crowded, []);
    assert.match(await page.locator('section[aria-labelledby="section-history"]').innerText(), /Auditors can read the full history/);
    await screenshot(page, 'commitment');
  });

  it('shows a monitor\'s pledge, and an auditor moving the date back sees the numbers as they were', async () => {
    const before = await api(`/api/commitments/${goal.key}`);
    const amount = 12_000_000;
    await api(`/api/commitments/${goal.key}/pledges`, {
      key: demoKeys.monitor, method: 'POST',
      body: { pledger: 'Testland', amount: { amount, currency: before.ledgerCurrency }, announcedOn: '2025-03-01',
        source: { url: 'https://example.org/testland-pledge', primary: true, note: 'Browser test' } }
    });
    // A report found wrong and retracted: in the past as effective the history lists the retraction and marks the report.
    const wrongSource = { url: 'https://example.org/wrong-report', primary: false };
    const report = await api(`/api/commitments/${goal.key}/progress`, {
      key: demoKeys.monitor, method: 'POST',
      body: { figure: 1000, currency: before.ledgerCurrency, comparator: 'about', asOf: '2024-12-01', source: wrongSource }
    });
    const retraction = await api(`/api/commitments/${goal.key}/corrections`, {
      key: demoKeys.monitor, method: 'POST', body: { version: report.version, reason: 'Browser test: entered in error', source: wrongSource }
    });
    await page.reload();
    await settle();
    const pledgedNow = await stage('Pledged');
    assert.match(pledgedNow, new RegExp(`^${escape(await compactMoney(page, before.money.pledged + amount, before.ledgerCurrency))}`));
    assert.ok(await page.locator('table a:text-is("Testland")').count() >= 1, 'the pledge is listed by pledger');
    // Each line's legend draws the line's own colour and dash (until 2026-12-06 the pledged one was the bar's paler
    // blue), and no two lines are told apart by colour alone (until 2026-12-08 all four were solid).
    const lines = await page.evaluate(() => [...document.querySelectorAll('figure.steps')].flatMap(figure =>
      [...figure.querySelectorAll('.series-legend .legend-line')].map(legend => {
        const series = [...legend.classList].find(c => !['legend-line', 'series'].includes(c));
        const drawn = figure.querySelector(`svg.step-chart .series.${series} path`);
        const style = element => element ? [getComputedStyle(element).stroke, getComputedStyle(element).strokeDasharray] : null;
        return { figure: figure.querySelector('figcaption').textContent, series, legend: style(legend.querySelector('line')), drawn: style(drawn) };
      })));
    assert.ok(lines.some(line => line.series === 'pledged' && line.drawn), 'the pledged line is drawn');
    for (const line of lines) if (line.drawn) assert.deepEqual(line.legend, line.drawn, `the ${line.series} legend`);
    for (const figure of new Set(lines.map(line => line.figure))) {
      const dashes = lines.filter(line => line.figure === figure).map(line => line.drawn?.[1]);
      assert.equal(new Set(dashes).size, dashes.length, `${figure}: each line has a dash of its own (${dashes})`);
    }

    await page.click('.access button:has-text("Sign in")');
    await page.fill('#sign-in-key', demoKeys.auditor);
    await page.click('#sign-in-form button[type="submit"]');
    await page.waitForSelector('.access .who');
    assert.match(await page.locator('.access .who').innerText(), /demo-auditor/);
    // Focus is where the control was, now Sign out (until 2026-12-06 it was lost to the page's body).
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Sign out');
    await settle();
    const { items: history } = await api(`/api/commitments/${goal.key}/history?limit=500`, { key: demoKeys.auditor });
    assert.equal(await page.locator('ol.timeline > li').count(), history.length);
    assert.match(await page.locator('ol.timeline > li').first().innerText(), /demo-monitor[\s\S]*Progress report retracted/i);
    assert.ok(await page.locator('ol.timeline > li', { hasText: 'Pledge announced' }).count() >= 1);
    // A reason is said once: under "Why:" where the summary does not already end with it (a retraction's does).
    const retractionEntry = page.locator('ol.timeline > li').first();
    assert.equal(await retractionEntry.locator('.why').count(), 0);
    assert.equal(await page.locator('ol.timeline > li .why').count(),
      history.filter(e => e.reason && !e.summary.endsWith(`: ${e.reason}`)).length);

    await travel('2025-01-01', 'effective');
    assert.ok(await page.locator('#past-banner').isVisible());
    assert.match(await page.locator('#past-banner').innerText(), /Past view/);
    // The tab says it is a past too (until 2026-12-07 only the overview's did).
    assert.equal(await page.title(), `${await page.locator('main h1').innerText()}, in the past · CommitmentTracker`);
    const then = await api(`/api/commitments/${goal.key}?effectiveAsOf=2025-01-01`, { key: demoKeys.auditor });
    const pledgedThen = await stage('Pledged');
    assert.match(pledgedThen, new RegExp(`^${escape(await compactMoney(page, then.money.pledged, then.ledgerCurrency))}`));
    assert.notEqual(pledgedThen, pledgedNow, 'moving the date back changed the figure');
    // A retraction has no date of its own: listed with the report it takes back, which took effect before the date (until
    // 2026-12-06 left out, and its report read as standing). The seed catalogue retracts nothing: this one is the only.
    assert.equal(await page.locator('ol.timeline > li').count(),
      history.filter(e => e.version !== retraction.version && (e.effectiveOn ?? e.recordedAt) <= '2025-01-01').length + 1);
    assert.equal(await page.locator('ol.timeline > li', { hasText: `version ${retraction.version} ·` }).count(), 1);
    assert.match(await page.locator('ol.timeline > li', { hasText: `version ${report.version} ·` }).innerText(),
      new RegExp(`retracted in version ${retraction.version}`));
    // What the sources said by then, as the timeline's past gives it.
    const { items: factsThen } = await api(`/api/commitments/${goal.key}/timeline?effectiveAsOf=2025-01-01&limit=500`, { key: demoKeys.auditor });
    assert.equal(await page.locator('ol.mentions > li').count(), factsThen.length);
    await screenshot(page, 'commitment-in-the-past');

    // Before its statement, as effective: not there yet, with the way to today (until 2026-12-07 "No such commitment").
    // (On a page of its own: the browser logs the API's 404, which the shared page's record counts as an error.)
    const { page: early } = await openPage(browser);
    await early.goto(`${baseUrl}/#/commitments/${goal.key}?asOf=2000-01-01&view=effective`);
    await early.click('.access button:has-text("Sign in")');
    await early.fill('#sign-in-key', demoKeys.auditor);
    await early.click('#sign-in-form button[type="submit"]');
    await early.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Not there yet on that date');
    assert.equal(await early.locator('main a', { hasText: 'See it today' }).getAttribute('href'), `#/commitments/${goal.key}`);
    await early.close();
  });

  it('shows the whole overview as it was on a past date, in both kinds of past', async () => {
    await page.click('nav.breadcrumb a');
    await settle();
    assert.match(page.url(), /asOf=2025-01-01/, 'links keep the past being viewed');
    const effective = await api('/api/dashboard?effectiveAsOf=2025-01-01', { key: demoKeys.auditor });
    assert.equal(await figure('commitments'), effective.commitments);

    await travel('2020-01-01', 'effective');
    const early = await api('/api/dashboard?effectiveAsOf=2020-01-01', { key: demoKeys.auditor });
    assert.equal(await figure('commitments'), early.commitments);
    assert.ok(early.commitments > 0 && early.commitments < seeded, 'only what was stated by 2020 counts');
    await screenshot(page, 'overview-in-the-past');

    // As recorded: the day before the seed catalogue was loaded, the tracker showed nothing at all.
    const { items: documents } = await api('/api/documents?pageSize=500');
    const firstRecorded = documents.map(d => d.registeredAt).sort()[0];
    const asked = page.waitForRequest(r => r.url().includes('/api/dashboard?') && r.url().includes('recordedAsOf'));
    await travel(dayBefore(firstRecorded), 'recorded');
    // The day's end to the 100 ns the API reads: until 2026-12-06 its last millisecond, which left out what was recorded
    // in the last 999 microseconds of the day.
    assert.equal(new URL((await asked).url()).searchParams.get('recordedAsOf'), `${dayBefore(firstRecorded)}T23:59:59.9999999Z`);
    assert.equal(await figure('commitments'), 0);
    assert.equal(await page.locator('table.commitments').count(), 0);

    await page.click('#tt-today');
    await page.waitForFunction(() => !location.hash.includes('asOf'));
    await settle();
    assert.ok(await page.locator('#past-banner').isHidden());
    assert.equal(await figure('commitments'), seeded);

    // Today's date in UTC (a reader east of it picking their yesterday) is the present, and the page says so.
    const todayUtc = new Date().toISOString().slice(0, 10);
    await page.fill('#tt-date', todayUtc);
    await page.click('#time-travel button[type="submit"]');
    await page.waitForFunction(() => !document.querySelector('#past-banner').hidden);
    assert.match(await page.locator('#past-banner').innerText(), /is today in UTC, the tracker's time, so this is the present/);
    assert.ok(!page.url().includes('asOf'));
    assert.equal(await figure('commitments'), seeded);
  });

  it('lists what each pledger pledged, committed and disbursed across commitments', async () => {
    // The pledger views read the pledges' rows, written with each pledge: the pledge counts at once.
    await page.goto(`${baseUrl}/#/pledgers`);
    await settle();
    await page.click('table a:text-is("Testland")');
    await page.waitForFunction(() => location.hash.includes('/pledgers/'));
    await settle();
    assert.equal(await page.locator('h1').innerText(), 'Testland');
    const { pledger } = await api('/api/pledgers/testland');
    const total = pledger.totals[0];
    assert.equal(await stage('Pledged'), await compactMoney(page, total.pledged, total.currency));
    const pledges = pledger.pledges.filter(p => p.commitmentKey === goal.key).length;
    assert.equal(await page.locator(`table a:text-is("${goal.title}")`).count(), pledges);
    await screenshot(page, 'pledger');
  });

  it('pages through every pledger and shows an exact amount to its last digit', async () => {
    // Until 2026-12-06 the page showed the first 100 pledgers only, and exact amounts in whole units (€1,234.56 read €1,235).
    const { ledgerCurrency } = await api(`/api/commitments/${goal.key}`);
    const pledge = (pledger, amount) => api(`/api/commitments/${goal.key}/pledges`, {
      key: demoKeys.monitor, method: 'POST',
      body: { pledger, amount: { amount, currency: ledgerCurrency }, announcedOn: '2025-03-01',
        source: { url: 'https://example.org/pager', primary: true } }
    });
    await pledge('Zedland', 1234.56);
    // Eleven digits and six decimals: more than a binary float holds (until 2026-12-06 the page showed ...012.34568).
    await api(`/api/commitments/${goal.key}/pledges`, {
      key: demoKeys.monitor, method: 'POST',
      body: `{"pledger":"Exactland","amount":{"amount":12345678901.234567,"currency":"${ledgerCurrency}"},"announcedOn":"2025-03-01",` +
        '"source":{"url":"https://example.org/exact","primary":true}}'
    });
    for (let known = (await api('/api/pledgers?pageSize=1')).total, n = 0; known <= 100; known++, n++) await pledge(`Pager ${n}`, 1000);
    const { total, pageCount } = await api('/api/pledgers?pageSize=100');
    assert.equal(pageCount, 2, `${total} pledgers make two pages of 100`);

    await page.goto(`${baseUrl}/#/pledgers`);
    await settle();
    assert.match(await page.locator('nav.pager').innerText(), new RegExp(`Page 1 of ${pageCount}`));
    // By the keyboard: on the last page, which has no "Next", focus stays in the pager, on "Previous" (until 2026-12-07
    // it went to the page's content).
    await page.focus('nav.pager a[rel="next"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.includes('page=2'));
    await settle();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('rel')), 'prev');
    const last = await api(`/api/pledgers?pageSize=100&page=${pageCount}`);
    assert.equal(await page.locator('table tbody tr').count(), last.items.length);
    const zedland = page.locator('table tbody tr', { has: page.locator('a:text-is("Zedland")') });
    assert.match(await zedland.innerText(), /1,234\.56/);
    await page.goto(`${baseUrl}/#/pledgers/exactland`);
    await settle();
    assert.match(await page.locator('main').innerText(), /12,345,678,901\.234567/);

    await page.goto(`${baseUrl}/#/pledgers?page=${pageCount + 5}`);
    await settle();
    assert.match(await page.locator('main').innerText(), new RegExp(`There is no page ${pageCount + 5} of pledgers`));

    // A pledger with more pledges than a page holds: every one can be reached (until 2026-12-06 the first 100 only).
    // (As the admin: the monitor's key wrote a hundred pledges just now, and writes are limited per key, 120 a minute.)
    for (let n = 0; n < 101; n++) {
      await api(`/api/commitments/${goal.key}/pledges`, {
        key: demoKeys.admin, method: 'POST',
        body: { pledger: 'Manyland', amount: { amount: 1, currency: ledgerCurrency }, announcedOn: '2025-03-01',
          source: { url: 'https://example.org/manyland', primary: true } }
      });
    }
    await page.goto(`${baseUrl}/#/pledgers/manyland`);
    await settle();
    assert.match(await page.locator('nav.pager').innerText(), /Page 1 of 2 \(101 pledges\)/);
    await page.click('nav.pager a[rel="next"]');
    await page.waitForFunction(() => location.hash.includes('page=2'));
    await settle();
    assert.equal(await page.locator('table tbody tr').count(), 1);
  });

  it('says a broken address names no page instead of staying blank', async () => {
    await page.goto(`${baseUrl}/#/commitments/%E0%A4%A`);
    await settle();
    assert.equal(await page.locator('h1').innerText(), 'Not found');
    assert.equal(await page.title(), 'Not found · CommitmentTracker');
    // A date in the address that names no day is said so (until 2026-12-06 the page broke on it, or kept the last one).
    for (const bad of ['2024-13-01', '2024-02-30', '0000-01-01']) {
      await page.goto(`${baseUrl}/#/?asOf=${bad}&view=recorded`);
      await settle();
      assert.equal(await page.locator('h1').innerText(), 'Not a date', bad);
      assert.match(await page.locator('main').innerText(), new RegExp(bad));
    }
    // A page the API cannot give says why in its heading and in the tab's title (until 2026-12-06 an h2, and the tab
    // kept the last page's title).
    // (On a page of its own: the browser logs the API's 404, which the shared page's record counts as an error.)
    const { page: missing } = await openPage(browser);
    await missing.goto(`${baseUrl}/#/commitments/no-such-commitment`);
    await settle(missing);
    const heading = await missing.locator('main h1').innerText();
    assert.notEqual(heading, '');
    assert.equal(await missing.title(), `${heading} · CommitmentTracker`);
    await missing.close();
  });

  it('keeps a key the service cannot check just now, with a way to try again or sign out', async () => {
    // On a page of its own: the browser logs the refused /api/me, which the shared page's record counts as an error.
    const { page: held } = await openPage(browser);
    await held.addInitScript(key => sessionStorage.setItem('tracker.apiKey', key), demoKeys.auditor);
    const outage = route => route.fulfill({ status: 503, contentType: 'application/problem+json',
      body: JSON.stringify({ title: 'Service unavailable', detail: 'The database cannot be reached.' }) });
    await held.route('**/api/me', outage);
    await held.goto(`${baseUrl}/`);
    await settle(held);
    // Until 2026-12-06 an outage of /api/me read as signed out, with no way to drop the key.
    assert.match(await held.locator('.access .who').innerText(), /cannot check just now[\s\S]*database cannot be reached/);
    assert.equal(await held.evaluate(() => sessionStorage.getItem('tracker.apiKey')), demoKeys.auditor);

    await held.unroute('**/api/me', outage);
    await held.click('.access button:has-text("Try again")');
    await held.waitForFunction(() => document.querySelector('.access .who')?.textContent.includes('demo-auditor'));

    await held.route('**/api/me', outage);
    await held.reload();
    await settle(held);
    await held.click('.access button:has-text("Sign out")');
    await held.waitForSelector('.access button:has-text("Sign in")');
    assert.equal(await held.evaluate(() => sessionStorage.getItem('tracker.apiKey')), null);
    await held.close();
  });

  it('signs out at once when a key held is refused, and keeps focus on the control that rebuilt the page', async () => {
    // A key revoked while the page holds it: until 2026-12-06 every page read "Unauthorized" under "Signed in as".
    // (The page checks its key once, with /api/me: answered here as if the key were good when it was checked.)
    const { page: held } = await openPage(browser);
    await held.addInitScript(() => { if (!sessionStorage.getItem('seeded')) { sessionStorage.setItem('seeded', '1'); sessionStorage.setItem('tracker.apiKey', 'revoked-since'); } });
    await held.route('**/api/me', route => route.request().headers()['x-api-key']
      ? route.fulfill({ status: 200, contentType: 'application/json',
        body: JSON.stringify({ authenticated: true, name: 'key:revoked-since', roles: ['viewer'], may: {} }) })
      : route.continue());
    await held.goto(`${baseUrl}/#/pledgers`);
    await held.waitForSelector('.access button:has-text("Sign in")');
    await settle(held);
    assert.match(await held.locator('.access').innerText(), /Your key was refused/);
    assert.equal(await held.evaluate(() => sessionStorage.getItem('tracker.apiKey')), null);
    assert.equal(await held.locator('main h1').innerText(), 'Pledgers');
    await held.close();

    // Apply, and a table's "Next", rebuild the page: focus stays on the control (until 2026-12-06 it went to the body).
    await page.goto(`${baseUrl}/`);
    await settle();
    await page.focus('#filter-q');
    await page.keyboard.press('Enter');
    await settle();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'filter-q');
    await page.selectOption('#filter-kind', 'milestone');
    await page.click('.filters button[type="submit"]');
    await page.waitForFunction(() => location.hash.includes('kind=milestone'));
    await settle();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Apply');
  });

  it('says it is loading while the service is slow to answer the first page', async () => {
    // Until 2026-12-07 the page stayed empty until the service answered.
    const { page: slow, context } = await openPage(browser);
    await context.route('**/api/dashboard*', async route => { await new Promise(done => setTimeout(done, 2000)); await route.continue(); });
    await slow.goto(`${baseUrl}/`);
    await slow.waitForTimeout(1000);
    const shown = await slow.evaluate(() => {
      const before = getComputedStyle(document.querySelector('main'), '::before');
      return [before.content, before.visibility];
    });
    assert.deepEqual(shown, ['"Loading…"', 'visible']);
    await settle(slow);
    assert.equal(await slow.evaluate(() => getComputedStyle(document.querySelector('main'), '::before').content), 'none');
    await context.close();
  });

  it('fits a phone without sideways scrolling', async () => {
    const phone = await openPage(browser, { width: 390, height: 844 });
    for (const [name, path] of [['phone-overview', '/'], ['phone-commitment', `/#/commitments/${goal.key}`]]) {
      await phone.page.goto(`${baseUrl}${path}`);
      await settle(phone.page);
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone`);
      await screenshot(phone.page, name);
    }
    // The overview's rows stack: a title the width of the row, its other cells each under its column's name (until
    // 2026-12-07 five columns shared 390 pixels, a title a word or two a line).
    await phone.page.goto(`${baseUrl}/`);
    await settle(phone.page);
    const row = phone.page.locator('table.commitments tbody tr').first();
    const [title, kind] = [await row.locator('th').boundingBox(), await row.locator('td').first().boundingBox()];
    assert.ok(title.width > 300, `the title is ${title.width}px wide`);
    assert.ok(kind.y >= title.y + title.height, 'the kind is under the title');
    assert.match(await row.locator('td').first().evaluate(td => getComputedStyle(td, '::before').content), /Kind/);
    assert.equal(await phone.page.getByRole('table', { name: 'All commitments' }).count(), 1, 'still a table to a screen reader');
    record.errors.push(...phone.record.errors);
    record.requests.push(...phone.record.requests);
    await phone.context.close();
  });

  it('can be used with a keyboard and a screen reader', async () => {
    await page.goto(`${baseUrl}/`);
    await settle();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    // Following it moves focus to the content and leaves the page as it is (until 2026-12-06 its #main was taken for a
    // route, and the page became "Not found").
    const address = await page.evaluate(() => location.hash);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    assert.equal(await page.evaluate(() => location.hash), address);
    assert.equal(await page.locator('h1').innerText(), 'Overview');
    // A filter in force is shown, even spelled otherwise than any option (until 2026-12-06 the select read "All").
    await page.goto(`${baseUrl}/#/?actor=IRAQ`);
    await settle();
    assert.equal(await page.locator('#filter-actor').inputValue(), 'IRAQ');
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')]
      .filter(control => control.labels.length === 0 && !control.getAttribute('aria-label')).map(control => control.id || control.name));
    assert.deepEqual(unlabelled, []);
    assert.equal(await page.locator('figure:not(:has(figcaption))').count(), 0);
    assert.equal(await page.locator('svg[role="img"]:not(:has(title))').count(), 0);

    const link = page.locator('table.commitments tbody a').first();
    const title = await link.innerText();
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.includes('/commitments/'));
    await settle();
    assert.equal(await page.locator('h1').innerText(), title);
  });

  it('tells a screen reader which page it is on and what changed, and refuses a past it may not see in words', async () => {
    // Its own page: the refusals below (a filter the API refuses, a wrong key) are logged by the browser as errors.
    const { page: reader, context } = await openPage(browser);
    await reader.goto(`${baseUrl}/`);
    await settle(reader);
    const focusedElement = () => reader.evaluate(() => ({
      tag: document.activeElement?.tagName.toLowerCase(), id: document.activeElement?.id, text: document.activeElement?.textContent }));

    // A new page: its heading takes focus once it is shown (until 2026-12-08 the unnamed main, while the old page was
    // still in it), and the section it is in is not called the current page.
    const link = reader.locator('table.commitments tbody a').first();
    const title = await link.innerText();
    await link.focus();
    await reader.keyboard.press('Enter');
    await reader.waitForFunction(() => location.hash.includes('/commitments/'));
    await settle(reader);
    assert.deepEqual(await focusedElement(), { tag: 'h1', id: '', text: title });
    assert.equal(await reader.locator('.sections a[data-section="overview"]').getAttribute('aria-current'), 'true');
    // Back returns to the link followed, not to the top of the page (its heading is said).
    await reader.goBack();
    await settle(reader);
    assert.deepEqual(await focusedElement(), { tag: 'a', id: '', text: title });
    await reader.waitForFunction(() => document.getElementById('announcer').textContent === 'Overview');
    assert.equal(await reader.locator('.sections a[data-section="overview"]').getAttribute('aria-current'), 'page');

    // The same page rebuilt by a filter: focus stays on Apply, and the live region says how many match.
    await reader.selectOption('#filter-kind', 'financial');
    await reader.focus('form.filters button[type="submit"]');
    await reader.keyboard.press('Enter');
    await reader.waitForFunction(() => location.hash.includes('kind=financial'));
    await settle(reader);
    assert.equal((await focusedElement()).text, 'Apply');
    await reader.waitForFunction(() => /match(es)? the filters/.test(document.getElementById('announcer').textContent));
    // Tables that fit are no stop for the keyboard, nor a landmark named as their section is.
    assert.equal(await reader.locator('.table-wrap[tabindex], .table-wrap[role="region"]').count(), 0);

    // A value no status has: the message names the statuses as the page shows them, tied to the select.
    await reader.goto(`${baseUrl}/#/?status=bogus`);
    await settle(reader);
    assert.match(await reader.locator('#filters-refused').innerText(), /“bogus” is not a status .*Not assessed, Not started, In progress/);
    assert.equal(await reader.locator('#filter-status').getAttribute('aria-invalid'), 'true');
    assert.equal(await reader.locator('#filter-status').getAttribute('aria-describedby'), 'filters-refused');

    // Signed out, a past date: no banner calls the refusal a past view; the refusal's heading is said, focus stays on
    // Show, the date in its field.
    await reader.goto(`${baseUrl}/`);
    await settle(reader);
    await reader.fill('#tt-date', '2025-01-01');
    await reader.click('#time-travel button[type="submit"]');
    await reader.waitForFunction(() => location.hash.includes('asOf=2025-01-01'));
    await settle(reader);
    assert.ok(await reader.locator('#past-banner').isHidden());
    assert.equal(await reader.evaluate(() => document.body.classList.contains('is-past')), false);
    assert.equal((await focusedElement()).text, 'Show');
    await reader.waitForFunction(() => document.getElementById('announcer').textContent === 'Past views are for auditors');
    assert.equal(await reader.inputValue('#tt-date'), '2025-01-01');
    // A day before the tracker's first is the browser's to refuse, the date kept (until 2026-12-08 the page became
    // "Not a date" and the field was emptied).
    assert.equal(await reader.getAttribute('#tt-date', 'min'), '1900-01-01');
    await reader.fill('#tt-date', '1850-01-06');
    await reader.click('#time-travel button[type="submit"]');
    assert.equal(await reader.evaluate(() => document.getElementById('tt-date').validity.rangeUnderflow), true);
    assert.match(await reader.evaluate(() => location.hash), /asOf=2025-01-01/);

    // A wrong key: said in the dialog, tied to the field.
    await reader.click('.access button:has-text("Sign in")');
    await reader.fill('#sign-in-key', 'not-a-key');
    await reader.click('#sign-in-form button[type="submit"]');
    await reader.waitForFunction(() => document.getElementById('sign-in-error').textContent.includes('not valid'));
    assert.equal(await reader.getAttribute('#sign-in-key', 'aria-invalid'), 'true');
    assert.equal(await reader.getAttribute('#sign-in-key', 'aria-describedby'), 'sign-in-error');
    await reader.click('#sign-in-cancel');

    // Signed in from the History section's gate: focus goes to the History it opened, not to the header.
    await reader.goto(`${baseUrl}/#/commitments/${goal.key}`);
    await settle(reader);
    await reader.click('#section-history ~ .gate button');
    await reader.fill('#sign-in-key', demoKeys.auditor);
    await reader.click('#sign-in-form button[type="submit"]');
    await reader.waitForFunction(() => document.activeElement?.id === 'section-history');
    assert.ok(await reader.locator('ol.timeline').count() === 1, 'the history is shown');
    const inView = await reader.evaluate(() => document.getElementById('section-history').getBoundingClientRect().top);
    assert.ok(inView >= 0 && inView < 900, `the History heading is in view (${inView})`);

    // A link that goes with the page it is on (the banner's "Back to today"): the new page's heading takes focus.
    await reader.fill('#tt-date', '2025-06-01');
    await reader.click('#time-travel button[type="submit"]');
    await reader.waitForFunction(() => location.hash.includes('asOf=2025-06-01'));
    await settle(reader);
    await reader.focus('#past-banner a');
    await reader.keyboard.press('Enter');
    await reader.waitForFunction(() => !location.hash.includes('asOf'));
    await settle(reader);
    await reader.waitForFunction(() => document.activeElement?.tagName === 'H1');

    // A title in Arabic, quoted in its statement's history entry, keeps its own direction there (until 2026-12-08 its
    // full stop was drawn before its first word).
    const arabic = 'إعادة إعمار المناطق المحررة بحلول 2025.';
    const rationale = 'تم إنجاز نصف الأعمال حتى الآن.';
    await api('/api/commitments', {
      key: demoKeys.monitor, method: 'POST',
      body: { key: 'browser-test-arabic', title: arabic, kind: 'milestone', lineOfEffort: 'stabilisation', actors: ['coalition'],
        statedIn: { documentKey: 'washington-2024', quote: 'reconstruction' } }
    });
    await api('/api/commitments/browser-test-arabic/assessments', {
      key: demoKeys.monitor, method: 'POST',
      body: { status: 'in-progress', assessedOn: '2025-01-15', rationale, source: { documentKey: 'washington-2024', primary: true } }
    });
    await reader.goto(`${baseUrl}/#/commitments/browser-test-arabic`);
    await settle(reader);
    const quoted = await reader.locator('ol.timeline p.what bdi').evaluateAll((all, title) =>
      all.filter(bdi => bdi.textContent === title).map(bdi => bdi.matches(':dir(rtl)')), arabic);
    assert.deepEqual(quoted, [true]);
    // The assessment's rationale, at a glance and in its history entry, in its own direction too.
    assert.equal(await reader.locator('.facts .rationale[dir="auto"]', { hasText: rationale }).count(), 1);
    assert.ok(await reader.locator('ol.timeline p.what bdi', { hasText: rationale }).count() >= 1, 'the rationale is isolated in the history');
    await context.close();
  });

  it('keeps its charts apart in high contrast, and fits 320 pixels and 200% zoom', async () => {
    const { page: contrast, context } = await openPage(browser);
    await contrast.emulateMedia({ forcedColors: 'active', reducedMotion: 'reduce' });
    await contrast.goto(`${baseUrl}/#/commitments/${goal.key}`);
    await settle(contrast);
    // Until 2026-12-08 every swatch and bar became the same system colour.
    const swatches = await contrast.locator('.money-bar .swatch').evaluateAll(all => all.map(swatch => getComputedStyle(swatch).backgroundImage + getComputedStyle(swatch).backgroundColor));
    assert.ok(swatches.length >= 3, `the money bar has its stages' swatches: ${swatches.length}`);
    assert.equal(new Set(swatches).size, swatches.length, `the swatches differ: ${swatches}`);
    await context.close();

    // 320 pixels wide, as 1280 at 400% zoom: no page scrolls sideways (the header's select did until 2026-12-08).
    const narrow = await openPage(browser, { width: 320, height: 640 });
    for (const path of ['/', `/#/commitments/${goal.key}`, '/#/pledgers']) {
      await narrow.page.goto(`${baseUrl}${path}`);
      await settle(narrow.page);
      const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than 320 pixels`);
    }
    await narrow.context.close();
    // 640 pixels, as 1280 at 200% zoom: the tables stack as on a phone, every column in sight.
    const zoomed = await openPage(browser, { width: 640, height: 800 });
    await zoomed.page.goto(`${baseUrl}/#/commitments/${goal.key}`);
    await settle(zoomed.page);
    assert.equal(await zoomed.page.locator('.table-wrap').evaluateAll(wraps => wraps.filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1).length), 0);
    await zoomed.context.close();
  });

  it('shows a reported figure with every digit its source gave', async () => {
    // Until 2026-12-06 a quantity kept two decimals and money read compactly ("$1.5B").
    const commitment = await api(`/api/commitments/${goal.key}`);
    await api(`/api/commitments/${goal.key}/progress`, {
      key: demoKeys.monitor, method: 'POST',
      body: `{"figure": 1523456789.123456789, "currency": "${commitment.ledgerCurrency}", "comparator": "exactly", "asOf": "2025-02-01",
              "source": {"url": "https://example.org/precise-report", "primary": false}}`
    });
    await page.goto(`${baseUrl}/#/commitments/${goal.key}`);
    await settle();
    const sources = await page.locator('section[aria-labelledby="section-what-the-sources-say"]').innerText();
    assert.match(sources, /Reported \D{0,4}1,523,456,789\.123456789\b/, 'every digit of the figure');
  });

  it('says which figure the progress is measured on when the latest report is of another stage', async () => {
    const key = 'browser-test-fund';
    await api('/api/commitments', {
      key: demoKeys.monitor, method: 'POST',
      body: { key, title: 'Browser test: a fund measured by stage', kind: 'financial', lineOfEffort: 'stabilisation',
        actors: ['coalition'], target: { amount: 500_000_000, currency: 'USD' },
        statedIn: { documentKey: 'washington-2024', quote: 'a fund measured by stage' } }
    });
    for (const [figure, comparator, asOf, stage] of [[300_000_000, 'more-than', '2024-09-30', 'announced'], [50_000_000, 'about', '2025-03-01', 'disbursed']]) {
      await api(`/api/commitments/${key}/progress`, {
        key: demoKeys.monitor, method: 'POST',
        body: { figure, currency: 'USD', comparator, asOf, stage, source: { url: 'https://example.org/fund-report', primary: false } }
      });
    }
    const read = await api(`/api/commitments/${key}`);
    assert.equal(read.latestReport.stage, 'disbursed');
    assert.equal(read.measuredBy.stage, 'announced', 'a disbursement does not take back what was announced');
    await page.goto(`${baseUrl}/#/commitments/${key}`);
    await settle();
    const note = await page.locator('section[aria-labelledby="section-progress"] .chart-note').innerText();
    assert.match(note, /Latest report: about \D{0,4}50,000,000\.00 disbursed/, note);
    assert.match(note, /The progress, more than 60% of the target, is measured on more than \D{0,4}300,000,000\.00 announced as of/, note);
  });

  it('says a share of a reduction measured on a lower bound is at most that far', async () => {
    // From 200 camps to 100: "more than 150 camps" is at most halfway (until 2026-12-07 it read "more than 50%").
    const key = 'browser-test-fewer-camps';
    await api('/api/commitments', {
      key: demoKeys.monitor, method: 'POST',
      body: { key, title: 'Browser test: fewer camps', kind: 'quantitative', lineOfEffort: 'stabilisation',
        actors: ['coalition'], target: { amount: 100, unit: 'camps', baseline: 200 },
        statedIn: { documentKey: 'washington-2024', quote: 'fewer camps' } }
    });
    await api(`/api/commitments/${key}/progress`, {
      key: demoKeys.monitor, method: 'POST',
      body: { figure: 150, unit: 'camps', comparator: 'more-than', asOf: '2025-03-01', source: { url: 'https://example.org/camps', primary: false } }
    });
    await page.goto(`${baseUrl}/#/commitments/${key}`);
    await settle();
    assert.match(await page.locator('section[aria-labelledby="section-progress"]').innerText(), /less than 50%/);
    await page.goto(`${baseUrl}/#/?q=${encodeURIComponent('fewer camps')}`);
    await settle();
    const cell = await page.locator('table.commitments tbody tr', { hasText: 'Browser test: fewer camps' }).locator('td:nth-of-type(3)').innerText();
    assert.match(cell, /^less than 50%/);
  });

  it('loads nothing from anywhere else and logs no errors', () => {
    const foreign = record.requests.filter(url => !url.startsWith(baseUrl) && !url.startsWith('data:'));
    assert.deepEqual(foreign, [], 'works offline: no CDN, no fonts or scripts from elsewhere');
    assert.deepEqual(record.errors, []);
  });
});

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
