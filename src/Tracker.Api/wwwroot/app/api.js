// The JSON API, as the dashboard calls it: the caller's key (if signed in) on every request, problems as errors.
import { endOf } from './format.js';

const keyStorage = 'tracker.apiKey';

export const credentials = {
  get key() { return sessionStorage.getItem(keyStorage); },
  set key(value) { value ? sessionStorage.setItem(keyStorage, value) : sessionStorage.removeItem(keyStorage); }
};

/** An RFC 9457 problem answered by the service, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, problem, options) {
    super(problem?.detail || problem?.title || `The service answered ${status}`, options);
    this.status = status;
    this.problem = problem;
  }
}

function url(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') query.set(name, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export async function get(path, params, { key = credentials.key } = {}) {
  const headers = { Accept: 'application/json' };
  if (key) headers['X-Api-Key'] = key;
  let response;
  try {
    response = await fetch(url(path, params), { headers });
  } catch (failure) {
    // The browser's own words ("Failed to fetch") say nothing to a reader (shown until 2026-12-07).
    throw new ApiError(0, {
      title: 'The service cannot be reached',
      detail: 'The page asked the service and got no answer: it may be restarting, or the network is down. Try again in a moment.'
    }, { cause: failure });
  }
  const body = response.headers.get('content-type')?.includes('json') ? parseJson(await response.text()) : null;
  // The key held was refused (revoked since it was checked, say): dropped at once, and the shell told, so the pages read
  // as signed out rather than "Unauthorized" each (until 2026-12-06), and no more failed sign-ins count against the address.
  // (/api/me is the shell's own check of the key, which handles its refusal itself.)
  if (response.status === 401 && key && key === credentials.key && path !== '/api/me') {
    credentials.key = null;
    document.dispatchEvent(new CustomEvent('tracker:key-refused'));
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/**
 * An answer's JSON, with each number a binary float cannot hold as the API wrote it (eleven digits and six decimals of
 * pledged money) kept beside its value: a Number object carrying its text as `exact`, which the exact money formats show
 * digit for digit, and which charts and sums use as the number it is. Until 2026-12-06 such an amount was shown rounded
 * ($11,416,718,660.684821 read $11,416,718,660.68482, and a pledger's row could read as disbursed in full while its
 * outstanding amount said otherwise).
 */
function parseJson(text) {
  return JSON.parse(text, (key, value, context) =>
    typeof value === 'number' && context?.source !== undefined && String(value) !== context.source
      ? Object.assign(new Number(value), { exact: context.source })
      : value);
}

/** The query parameters that ask the API for a past: the end of the chosen day (UTC) as recorded, or the day as effective. */
export function pastParams(past) {
  if (!past) return {};
  return past.view === 'effective'
    ? { effectiveAsOf: past.asOf }
    : { recordedAsOf: endOf(past.asOf) };
}

const documents = new Map();

/** The registered source documents by key (titles and links for quotes), read once per page load. */
export async function documentsByKey() {
  if (documents.size === 0) {
    for (let page = 1, pages = 1; page <= pages; page++) {
      const list = await get('/api/documents', { page: String(page), pageSize: '500' });
      for (const document of list.items) documents.set(document.key, document);
      pages = list.pageCount;
    }
  }
  return documents;
}
