// Pieces several pages share: status badges, problems, the prompt to sign in.
import { ApiError } from './api.js';
import { h } from './dom.js';
import * as format from './format.js';

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, format.label(status));
}

export function tag(text) {
  return h('span', { class: 'tag' }, text);
}

export function problem(error) {
  const known = error instanceof ApiError;
  const title = known ? error.problem?.title ?? 'Something went wrong' : 'Something went wrong';
  const detail = known ? error.problem?.detail ?? error.message : String(error);
  return h('div', { class: 'problem', role: 'alert' }, h('h2', null, title), h('p', null, detail));
}

export function signInButton(text = 'Sign in') {
  return h('button', { type: 'button', onclick: () => document.dispatchEvent(new CustomEvent('tracker:sign-in')) }, text);
}

/** Past views are for auditors (and admins): what a reader without that role sees instead. */
export function pastNeedsAuditor(caller) {
  return h('div', { class: 'card gate' },
    h('h1', null, 'Past views are for auditors'),
    h('p', null, caller?.authenticated
      ? `You are signed in as ${caller.name} (${caller.roles.join(', ')}), a role that does not include the audit views.`
      : 'Sign in with an auditor key to see the tracker as it was on a past date.'),
    caller?.authenticated ? null : signInButton('Sign in as an auditor'));
}
