// What the browser tests share: the service under test, its JSON API (for the numbers the page must show), a headless
// Chromium, and a record of everything a page asked for or complained about.
import { readFile, writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

export const baseUrl = process.env.TRACKER_E2E_BASE_URL ?? 'http://localhost:5080';
export const artifacts = new URL('./artifacts/', import.meta.url);
export const demoKeys = { monitor: 'demo-monitor-key', auditor: 'demo-auditor-key', admin: 'demo-admin-key' };
const catalogue = new URL('../../data/catalogue/global-coalition-against-daesh.json', import.meta.url);

export async function api(path, { key, method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (key) headers['X-Api-Key'] = key;
  if (body) headers['Content-Type'] = 'application/json';
  // (A body given as text is sent as it is: a number JavaScript cannot hold is written in it digit for digit.)
  const sent = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(new URL(path, baseUrl), { method, headers, body: sent });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function serviceLogTail() {
  try {
    return (await readFile(new URL('service.log', artifacts), 'utf8')).split('\n').slice(-30).join('\n');
  } catch {
    return '(no service log)';
  }
}

/**
 * Waits until the service is ready, holds every commitment of the seed catalogue, and has stopped appending (it records
 * deadlines that passed by itself just after the import), and its async projections (the effective
 * timeline the past views read) have taken in every event, so the numbers the tests compare hold still.
 */
export async function waitForSeededService({ timeoutMs = 180_000 } = {}) {
  const expected = JSON.parse(await readFile(catalogue, 'utf8')).commitments.length;
  const deadline = Date.now() + timeoutMs;
  let lastSequence = -1, steady = 0;
  while (Date.now() < deadline) {
    try {
      const health = await api('/health/ready', { key: 'demo-auditor-key' });
      const { total } = await api('/api/commitments?pageSize=1');
      const sequence = health.checks.database.data.highestEventSequence;
      const lags = health.checks.database.data.projectionLag ?? {};
      const projected = Object.keys(lags).some(name => name.startsWith('EffectiveTimeline')) &&
        Object.values(lags).every(lag => lag === 0);
      steady = total === expected && sequence === lastSequence && projected ? steady + 1 : 0;
      lastSequence = sequence;
      if (steady >= 3) return expected;
    } catch {
      // not up yet
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(`The service at ${baseUrl} did not become ready with the seed catalogue in ${timeoutMs / 1000} s.\n${await serviceLogTail()}`);
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // The flags Debian's chromium needs here: no sandbox as root, and none of its background connections.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  });
}

/** A page that records its console errors, uncaught exceptions and every URL it requested. */
export async function openPage(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  const record = { errors: [], requests: [] };
  page.on('console', message => { if (message.type() === 'error') record.errors.push(message.text()); });
  page.on('pageerror', error => record.errors.push(String(error)));
  page.on('request', request => record.requests.push(request.url()));
  return { page, context, record };
}

export async function screenshot(page, name) {
  await page.screenshot({ path: new URL(`${name}.png`, artifacts).pathname, fullPage: true });
}

export async function writeTimings(timings) {
  await writeFile(new URL('timings.json', artifacts), JSON.stringify(timings, null, 2));
}

/** Money as the page writes it ("$394M"), by the page's own formatter: Node's and Chromium's ICU data differ. */
export function compactMoney(page, amount, currency) {
  return page.evaluate(async ([a, c]) => (await import('/app/format.js')).money(a, c), [amount, currency]);
}

/** The day before an instant, as a date input wants it. */
export function dayBefore(instant) {
  const day = new Date(instant);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}
