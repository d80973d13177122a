// The portal's small toolkit: texts, DOM building (never innerHTML, so no
// text from the server or the user can become markup), the API client,
// DKFDS form fields with their error messages, alerts and the
// confirmation dialog.
import { dictionaries } from './i18n.js';

export const state = {
  lang: localStorage.getItem('nks.lang') === 'en' ? 'en' : 'da',
  session: null,  // the answer of GET /auth/session, or null
};

export function t(key, vars = {}) {
  const text = dictionaries[state.lang][key] ?? dictionaries.da[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// h('p', {class: 'x', onclick: fn}, 'text', child, [more children])
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

let idCounter = 0;
export const uid = (prefix) => `${prefix}-${++idCounter}`;

// Calls the API. Answers {ok, status, data, text, problem}; never throws.
// Unsafe methods carry the session's CSRF token.
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && state.session?.csrf_token) headers['X-CSRF-Token'] = state.session.csrf_token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin',
                              body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    return { ok: false, status: 0, problem: { detail: t('error.network'), message: { da: da('error.network'), en: '' } } };
  }
  const type = res.headers.get('Content-Type') || '';
  const text = await res.text();
  let data = null;
  if (type.includes('json')) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  return { ok: res.ok, status: res.status, data, text, problem: res.ok ? null : (data || { detail: text }) };
}

function da(key) { return dictionaries.da[key]; }

// The problem's text in the chosen language, with the server's detail.
export function problemText(problem) {
  if (!problem) return '';
  const message = problem.message?.[state.lang] || problem.title || '';
  const detail = problem.detail || '';
  return message && detail ? `${message} (${detail})` : message || detail;
}

// A DKFDS alert: variant success | error | info | warning.
export function alert(variant, text, heading) {
  return h('div', { class: `alert alert-${variant}`, role: variant === 'error' ? 'alert' : 'status' },
    icon(variant, 'alert-icon'),
    h('div', { class: 'alert-body' },
      heading ? h('h2', { class: 'alert-heading h4' }, heading) : null,
      h('p', { class: 'alert-text' }, text)));
}

// A DKFDS icon from the sprite; decorative (the text beside it says it).
const svgNs = 'http://www.w3.org/2000/svg';
export function icon(name, cls = '') {
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('class', `icon-svg ${cls}`.trim());
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('aria-hidden', 'true');
  const use = document.createElementNS(svgNs, 'use');
  use.setAttribute('href', `/assets/icons.svg#${name}`);
  svg.append(use);
  return svg;
}

// One labelled DKFDS form field. spec: {name, label, hint, type, value,
// options: [[value, text]], width, autocomplete, inputmode, checkbox}.
export function field(spec) {
  const id = uid(spec.name);
  const hintId = `${id}-hint`, errorId = `${id}-error`;
  const error = h('span', { class: 'form-error-message', id: errorId, hidden: true });
  let input;
  if (spec.options) {
    input = h('select', { class: 'form-select', id, name: spec.name },
      spec.options.map(([v, text]) => h('option', { value: v, selected: v === spec.value }, text)));
  } else if (spec.checkbox) {
    input = h('input', { type: 'checkbox', class: 'form-checkbox', id, name: spec.name, checked: !!spec.value });
  } else {
    input = h('input', {
      class: `form-input${spec.width ? ' ' + spec.width : ''}`, id, name: spec.name, type: spec.type || 'text',
      value: spec.value ?? '', autocomplete: spec.autocomplete || 'off', inputmode: spec.inputmode,
      'aria-describedby': spec.hint ? hintId : null,
    });
  }
  const label = h('label', { class: 'form-label', for: id }, spec.label);
  const hint = spec.hint ? h('span', { class: 'form-hint', id: hintId }, spec.hint) : null;
  const group = spec.checkbox
    ? h('div', { class: 'form-group' }, h('div', { class: 'form-group-checkbox' }, input, label), error)
    : h('div', { class: 'form-group' }, label, hint, error, input);
  const f = {
    name: spec.name, group, input, label: spec.label,
    value: () => (spec.checkbox ? input.checked : input.value.trim()),
    setError(message) {
      group.classList.add('form-error');
      error.hidden = false;
      error.replaceChildren(h('span', { class: 'sr-only' }, t('error.prefix')), message);
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', [spec.hint ? hintId : null, errorId].filter(Boolean).join(' '));
    },
    clear() {
      group.classList.remove('form-error');
      error.hidden = true;
      error.replaceChildren();
      input.removeAttribute('aria-invalid');
      if (spec.hint) input.setAttribute('aria-describedby', hintId); else input.removeAttribute('aria-describedby');
    },
  };
  return f;
}

// A form of fields. check(values) answers {fieldName: message} for the
// client-side checks; submit(values, form) does the work and may call
// form.serverError(problem) to put the server's answer beside its field.
export function form({ fields, submitText, check, submit, secondary }) {
  const status = h('div', { class: 'form-status' });
  const button = h('button', { type: 'submit', class: 'button button-primary' }, submitText);
  const el = h('form', { novalidate: true }, status, fields.map((f) => f.group),
    h('div', { class: 'form-actions' }, button, secondary || null));
  const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
  const api_ = {
    el,
    values: () => Object.fromEntries(fields.map((f) => [f.name, f.value()])),
    showErrors(errors) {
      fields.forEach((f) => f.clear());
      status.replaceChildren();
      const entries = Object.entries(errors);
      if (!entries.length) return true;
      const list = h('ul', { class: 'nobullet-list' }, entries.map(([name, message]) =>
        h('li', {}, h('a', { href: `#${byName[name]?.input.id || ''}`, onclick: (e) => {
          e.preventDefault(); byName[name]?.input.focus();
        } }, message))));
      const summary = h('div', { class: 'alert alert-error', role: 'alert', tabindex: '-1' }, icon('error', 'alert-icon'),
        h('div', { class: 'alert-body' }, h('h2', { class: 'alert-heading h4' }, t('error.summary')), list));
      status.append(summary);
      for (const [name, message] of entries) byName[name]?.setError(message);
      summary.focus();
      return false;
    },
    // The server refused: its detail starts with the field ("account: ...").
    serverError(problem, fieldOf = {}) {
      const m = /^([a-z_]+):/.exec(problem?.detail || '');
      const name = m ? (fieldOf[m[1]] || m[1]) : null;
      if (name && byName[name]) return api_.showErrors({ [name]: problemText(problem) });
      api_.showErrors({});
      status.append(alert('error', problemText(problem) || t('error.generic', { detail: '' })));
    },
    message(variant, text) {
      status.replaceChildren(alert(variant, text));
    },
  };
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    const values = api_.values();
    if (!api_.showErrors(check ? check(values) : {})) return;
    button.disabled = true;
    try { await submit(values, api_); } finally { button.disabled = false; }
  });
  return api_;
}

// Asks before a destructive action; resolves true on confirm. A native
// modal <dialog>: focus moves into it and stays, Escape cancels, and focus
// returns to where it was.
export function confirmAction(text, confirmText = t('confirm')) {
  return new Promise((resolve) => {
    const back = document.activeElement;
    const titleId = uid('dialog-title');
    const done = (answer) => { dialog.close(); dialog.remove(); back?.focus?.(); resolve(answer); };
    const dialog = h('dialog', { class: 'portal-dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId, class: 'h3' }, t('confirm')),
      h('p', {}, text),
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', class: 'button button-primary', 'data-confirm': true, onclick: () => done(true) }, confirmText),
        h('button', { type: 'button', class: 'button button-secondary', onclick: () => done(false) }, t('cancel'))));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[data-confirm]').focus();
  });
}

// Values shown to people.
export function formatAmount(ore) {
  const kr = Number(ore) / 100;
  return new Intl.NumberFormat(state.lang === 'en' ? 'en-DK' : 'da-DK',
    { style: 'currency', currency: 'DKK' }).format(kr);
}
export const maskCpr = (cpr) => `${cpr.slice(0, 6)}-XXXX`;

// "0102851237", "010285-1237", "cpr:0102851237", "cvr:12345678", ... ->
// the API's id, or null.
export function recipientId(text) {
  const s = text.trim().toLowerCase().replace(/\s/g, '');
  let m = /^(?:cpr:)?(\d{6})-?(\d{4})$/.exec(s);
  if (m) return `cpr:${m[1]}-${m[2]}`;
  m = /^(cvr|se):(\d{8})$/.exec(s);
  if (m) return `${m[1]}:${m[2]}`;
  m = /^p:(\d{10})$/.exec(s);
  if (m) return `p:${m[1]}`;
  return null;
}
// How a recipient is shown: CPR numbers masked.
export const shownRecipient = (id) => (id.startsWith('cpr:') ? `cpr:${maskCpr(id.slice(4))}` : id);

// The two fields of a Danish account and their checks.
export function accountFields(prefix = '') {
  const reg = field({ name: `${prefix}reg`, label: t('field.regNo'), hint: t('field.regNoHint'),
                      width: 'input-char-4', inputmode: 'numeric' });
  const acc = field({ name: `${prefix}acc`, label: t('field.accountNo'), hint: t('field.accountNoHint'),
                      width: 'input-char-11', inputmode: 'numeric' });
  return [reg, acc];
}
export function checkAccount(values, errors, prefix = '') {
  if (!/^\d{4}$/.test(values[`${prefix}reg`])) errors[`${prefix}reg`] = t('v.regNo');
  if (!/^\d{1,10}$/.test(values[`${prefix}acc`])) errors[`${prefix}acc`] = t('v.accountNo');
}
export const accountText = (values, prefix = '') =>
  `${values[`${prefix}reg`]}-${values[`${prefix}acc`].padStart(10, '0')}`;

// A table of rows (arrays of cells) under a caption.
export function table(caption, headers, rows) {
  // Focusable and named, so a keyboard user can scroll a wide table (WCAG 2.1.1).
  return h('div', { class: 'table--responsive-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', { class: 'table table--compact' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}
