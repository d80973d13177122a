// The portal's pages, one function per path. Each returns the page's
// content (a heading first); the shell (app.js) places it in <main>.
import {
  state, t, h, api, alert, field, form, confirmAction, formatAmount, recipientId, shownRecipient,
  accountFields, checkAccount, accountText, table, problemText,
} from './ui.js';
import { navigate, refreshSession } from './app.js';

const heading = (text) => h('h1', { tabindex: '-1' }, text);
const enc = encodeURIComponent;

// A section that loads from the API, shows "loading" until then, and the
// problem (or that the endpoint is not there yet) if it fails.
function loader(load) {
  const box = h('div', { 'aria-live': 'polite' }, h('p', {}, t('loading')));
  const run = async () => {
    try {
      const content = await load();
      box.replaceChildren(...[content].flat().filter(Boolean));
    } catch (e) {
      box.replaceChildren(alert('error', e.message));
    }
  };
  run();
  box.reload = run;
  return box;
}
// The API answers an unknown route with 404 "no route for ..." (or 405
// where only other methods exist): a function the server does not offer.
export const noRoute = (r) => r.status === 405 || (r.status === 404 && /^no route for/.test(r.problem?.detail || ''));
function fail(r, path) {
  if (noRoute(r)) return alert('info', t('pending.endpoint', { path }));
  if (r.status === 403) return alert('error', `${t('forbidden.body')} ${problemText(r.problem)}`);
  return alert('error', problemText(r.problem));
}

// ---------------------------------------------------------------- login
export function loginPage() {
  const content = [heading(t('login.title')), h('p', { class: 'font-lead' }, t('login.intro'))];
  content.push(h('p', {}, h('a', { class: 'button button-primary', href: `/auth/login?return_to=${enc('/')}` },
    t('login.mitid'))));

  const role = field({ name: 'role', label: t('login.role'), value: 'citizen', options: [
    ['citizen', t('login.roleCitizen')], ['company', t('login.roleCompany')], ['employee', t('login.roleEmployee')]] });
  const cpr = field({ name: 'cpr', label: t('field.cpr'), hint: t('field.cprHint'), width: 'input-char-11',
                      inputmode: 'numeric' });
  const cvr = field({ name: 'cvr', label: t('field.cvr'), hint: t('field.cvrHint'), width: 'input-char-8',
                      inputmode: 'numeric' });
  const authority = field({ name: 'authority', label: t('field.authority'), hint: t('field.cvrHint'),
                            width: 'input-char-8', inputmode: 'numeric' });
  const user = field({ name: 'user', label: t('field.user'), width: 'input-width-m' });
  const show = () => {
    const r = role.input.value;
    cpr.group.hidden = r !== 'citizen';
    cvr.group.hidden = r !== 'company';
    authority.group.hidden = user.group.hidden = r !== 'employee';
  };
  role.input.addEventListener('change', show);
  const f = form({
    fields: [role, cpr, cvr, authority, user], submitText: t('login.submit'),
    check: (v) => {
      const e = {};
      if (v.role === 'citizen' && !/^\d{6}-?\d{4}$/.test(v.cpr)) e.cpr = t('v.cpr');
      if (v.role === 'company' && !/^\d{8}$/.test(v.cvr)) e.cvr = t('v.cvr');
      if (v.role === 'employee' && !/^\d{8}$/.test(v.authority)) e.authority = t('v.authority');
      if (v.role === 'employee' && !v.user) e.user = t('v.user');
      return e;
    },
    submit: async (v, fm) => {
      const body = v.role === 'citizen' ? { role: 'citizen', cpr: v.cpr.replace('-', '') }
        : v.role === 'company' ? { role: 'company', cvr: v.cvr }
          : { role: 'employee', authority: Number(v.authority), user: v.user };
      const r = await api('POST', '/auth/demo', body);
      if (!r.ok) return fm.serverError(r.problem);
      await refreshSession();
      navigate(homeOf(state.session));
    },
  });
  show();
  content.push(h('section', { class: 'mt-7', 'aria-labelledby': 'demo-title' },
    h('h2', { id: 'demo-title' }, t('login.demoTitle')), h('p', {}, t('login.demoIntro')), f.el));
  return content;
}

export function homeOf(session) {
  if (!session) return '/';
  if (session.kind === 'citizen') return '/borger';
  if (session.kind === 'company') return '/virksomhed';
  return '/sagsbehandler/opslag';
}

// ---------------------------------------------------------------- citizen
// The API's "me" is the session's own id, which the session document
// shows only masked.
export function citizenPage() {
  const id = 'me';
  const path = '/api/v1/nemkonto/me';
  const main = h('div');
  const render = () => main.replaceChildren(nemkontoBox(id, path, render), specificBox(id, path), activationBox(path, render));
  render();
  return [heading(t('nk.title')), main, h('p', { class: 'mt-7' }, t('nk.letterNote'))];
}

function nemkontoBox(id, path, rerender) {
  return loader(async () => {
    const r = await api('GET', path);
    if (!r.ok && r.status !== 404) return fail(r, path);
    const current = r.ok ? r.data?.nemkonto : null;
    const out = [];
    if (current?.account) {
      out.push(h('p', {}, `${t('nk.current')} `, h('strong', { 'data-testid': 'nemkonto' }, current.account),
        current.via === 'company' ? ` ${t('nk.viaCompany')}` : ''));
    } else {
      out.push(h('p', { 'data-testid': 'nemkonto-none' }, t('nk.none')));
    }
    if (r.data?.pending) out.push(alert('info', t('nk.pending')));
    const fields = accountFields();
    const f = form({
      fields, submitText: current ? t('nk.change') : t('nk.create'),
      check: (v) => { const e = {}; checkAccount(v, e); return e; },
      submit: async (v, fm) => {
        const account = accountText(v);
        if (current && !(await confirmAction(t('nk.changeConfirm', { account }), t('nk.change')))) return;
        const w = await api('PUT', path, { account });
        if (!w.ok) return fm.serverError(w.problem, { account: 'acc' });
        rerender();
        announce('success', t('nk.saved', { account }));
      },
    });
    out.push(h('h2', { class: 'h3' }, current ? t('nk.changeTitle') : t('nk.createTitle')), f.el);
    if (current?.account && current.via !== 'company') {
      out.push(h('button', { type: 'button', class: 'button button-secondary mt-5', onclick: async () => {
        if (!(await confirmAction(t('nk.deleteConfirm'), t('nk.delete')))) return;
        const d = await api('DELETE', path);
        if (!d.ok) return announce('error', problemText(d.problem));
        rerender();
        announce('success', t('nk.deleted'));
      } }, t('nk.delete')));
    }
    return h('section', { 'aria-label': t('nk.title') }, out);
  });
}

function specificBox(id, path) {
  const box = loader(async () => {
    const r = await api('GET', `${path}/specific-accounts`);
    const title = h('h2', { class: 'mt-8' }, t('sp.title'));
    if (!r.ok) return [title, fail(r, `${path}/specific-accounts`)];
    const list = r.data?.specific_accounts || [];
    if (!list.length) return [title, h('p', {}, t('sp.none'))];
    const rows = list.map((s) => [
      s.benefit, s.authority ?? '', s.account, s.valid_until || '',
      s.locked ? t('sp.lockedNote') : h('span', {},
        h('button', { type: 'button', class: 'button button-tertiary', onclick: () => changeSpecific(s) },
          t('sp.change')), ' ',
        h('button', { type: 'button', class: 'button button-tertiary', onclick: async () => {
          if (!(await confirmAction(t('sp.deleteConfirm', { benefit: s.benefit }), t('sp.delete')))) return;
          // A citizen names the authority whose specific account it is.
          const d = await api('DELETE', `${path}/specific-accounts/${enc(s.benefit)}?authority=${enc(s.authority)}`);
          if (!d.ok) return announce('error', problemText(d.problem));
          box.reload();
          announce('success', t('sp.deleted', { benefit: s.benefit }));
        } }, t('sp.delete'))),
    ]);
    const editor = h('div', { id: 'specific-editor' });
    const changeSpecific = (s) => {
      const fields = accountFields('sp');
      const f = form({
        fields, submitText: t('save'),
        check: (v) => { const e = {}; checkAccount(v, e, 'sp'); return e; },
        submit: async (v, fm) => {
          const w = await api('PUT', `${path}/specific-accounts/${enc(s.benefit)}`,
                              { account: accountText(v, 'sp'), authority: s.authority });
          if (!w.ok) return fm.serverError(w.problem, { account: 'spacc' });
          box.reload();
          announce('success', t('sp.saved', { benefit: s.benefit }));
        },
      });
      editor.replaceChildren(h('h3', { tabindex: '-1' }, t('sp.changeTitle', { benefit: s.benefit })), f.el);
      editor.querySelector('h3').focus();
    };
    return [title, h('p', {}, t('sp.intro')),
      table(t('sp.title'), [t('sp.benefit'), t('sp.authority'), t('sp.account'), t('sp.until'), t('actions')], rows), editor];
  });
  return box;
}

function activationBox(path, rerender) {
  const code = field({ name: 'code', label: t('field.code'), hint: t('field.codeHint'), width: 'input-char-8',
                       inputmode: 'numeric' });
  const f = form({
    fields: [code], submitText: t('act.submit'),
    check: (v) => (/^\d{8}$/.test(v.code) ? {} : { code: t('v.code') }),
    submit: async (v, fm) => {
      const r = await api('POST', `${path}/activation`, { code: v.code });
      if (!r.ok) return fm.serverError(r.problem);
      rerender();
      announce('success', t('act.done'));
    },
  });
  return h('section', { class: 'mt-8', 'aria-labelledby': 'act-title' },
    h('h2', { id: 'act-title' }, t('act.title')), h('p', {}, t('act.intro')), f.el);
}

// ---------------------------------------------------------------- company
export function companyPage() {
  const path = '/api/v1/nemkonto/me';
  return [heading(t('company.title')), loader(async () => {
    const r = await api('GET', path);
    if (!r.ok && r.status !== 404) return fail(r, path);
    const nk = r.ok ? r.data?.nemkonto : null;
    return [nk?.account ? h('p', {}, `${t('nk.current')} `, h('strong', { 'data-testid': 'nemkonto' }, nk.account))
      : h('p', {}, t('nk.none')), h('p', {}, t('company.note'))];
  })];
}

// ---------------------------------------------------------------- caseworker
const recipientField = () => field({ name: 'recipient', label: t('field.recipient'), hint: t('field.recipientHint'),
                                     width: 'input-width-m' });
const checkRecipient = (v, e) => { if (!recipientId(v.recipient)) e.recipient = t('v.recipient'); };

export function lookupPage() {
  const result = h('div', { 'aria-live': 'polite' });
  const f = form({
    fields: [recipientField()], submitText: t('lookup.submit'),
    check: (v) => { const e = {}; checkRecipient(v, e); return e; },
    submit: async (v, fm) => {
      const id = recipientId(v.recipient);
      const path = `/api/v1/nemkonto/${enc(id)}`;
      const [nk, hist, sp] = await Promise.all([api('GET', path), api('GET', `${path}/history`),
                                               api('GET', `${path}/specific-accounts`)]);
      if (!nk.ok && nk.status !== 404) return fm.serverError(nk.problem, { id: 'recipient' });
      const acc = nk.data?.nemkonto;
      const out = [h('h2', {}, t('lookup.result', { recipient: shownRecipient(id) })),
        h('p', {}, acc?.account ? [`${t('nk.current')} `, h('strong', { 'data-testid': 'nemkonto' }, acc.account)]
          : t('nk.none'))];
      if (hist.ok) {
        const entries = hist.data?.history || hist.data?.entries || [];
        out.push(table(t('lookup.history'), ['#', t('field.status'), t('sp.account'), t('lookup.channel'), t('lookup.at')],
          entries.map((e) => [e.seq ?? '', e.kind ?? '', e.account ?? '', e.channel ?? '', e.at ?? ''])));
      }
      if (sp.ok) {
        const list = sp.data?.specific_accounts || [];
        out.push(list.length ? table(t('lookup.specific'), [t('sp.benefit'), t('sp.account'), t('sp.until'), t('sp.locked')],
          list.map((s) => [s.benefit, s.account, s.valid_until || '', s.locked ? t('yes') : t('no')]))
          : h('p', {}, `${t('lookup.specific')}: ${t('none')}`));
      }
      result.replaceChildren(...out);
    },
  });
  return [heading(t('lookup.title')), f.el, result];
}

async function benefitOptions() {
  const r = await api('GET', '/api/v1/authority');
  return r.ok ? (r.data?.benefit_types || []).map((b) => b.code) : [];
}

export function reportPage() {
  // The NemKonto report (authority channel: pending until activated).
  const nkRecipient = recipientField();
  const [reg, acc] = accountFields();
  const ref = field({ name: 'reference', label: t('field.reference'), hint: t('field.referenceHint'),
                      width: 'input-width-l' });
  const nk = form({
    fields: [nkRecipient, reg, acc, ref], submitText: t('report.nkSubmit'),
    check: (v) => { const e = {}; checkRecipient(v, e); checkAccount(v, e); if (!v.reference) e.reference = t('v.reference'); return e; },
    submit: async (v, fm) => {
      const id = recipientId(v.recipient), account = accountText(v);
      if (!(await confirmAction(t('report.nkConfirm', { account, recipient: shownRecipient(id) }), t('report.nkSubmit')))) return;
      const r = await api('PUT', `/api/v1/nemkonto/${enc(id)}`, { account, reference: v.reference });
      if (!r.ok) return fm.serverError(r.problem, { account: 'acc', id: 'recipient' });
      fm.message('success', t('report.nkDone', { outcome: r.data?.outcome || '' }));
    },
  });
  // The specific account.
  const spRecipient = recipientField();
  const benefit = field({ name: 'benefit', label: t('field.benefit'), width: 'input-width-m' });
  const list = h('datalist', { id: 'benefit-list' });
  benefit.input.setAttribute('list', 'benefit-list');
  benefitOptions().then((codes) => list.replaceChildren(...codes.map((c) => h('option', { value: c }))));
  const [spReg, spAcc] = accountFields('sp');
  const spRef = field({ name: 'spreference', label: t('field.reference'), hint: t('field.referenceHint'),
                        width: 'input-width-l' });
  const until = field({ name: 'until', label: t('field.validUntil'), hint: t('field.validUntilHint'),
                        width: 'input-char-11' });
  const locked = field({ name: 'locked', label: t('field.locked'), checkbox: true });
  const sp = form({
    fields: [spRecipient, benefit, spReg, spAcc, spRef, until, locked], submitText: t('report.spSubmit'),
    check: (v) => {
      const e = {};
      checkRecipient(v, e);
      if (!/^[a-z0-9][a-z0-9-]*$/.test(v.benefit)) e.benefit = t('v.benefit');
      checkAccount(v, e, 'sp');
      if (!v.spreference) e.spreference = t('v.reference');
      if (v.until && !/^\d{4}-\d{2}-\d{2}$/.test(v.until)) e.until = t('v.date');
      return e;
    },
    submit: async (v, fm) => {
      const id = recipientId(v.recipient), account = accountText(v, 'sp');
      if (!(await confirmAction(t('report.spConfirm', { account, benefit: v.benefit, recipient: shownRecipient(id) }),
                                t('report.spSubmit')))) return;
      const body = { account, reference: v.spreference, locked: v.locked };
      if (v.until) body.valid_until = v.until;
      const r = await api('PUT', `/api/v1/nemkonto/${enc(id)}/specific-accounts/${enc(v.benefit)}`, body);
      if (!r.ok) return fm.serverError(r.problem, { account: 'spacc', reference: 'spreference', valid_until: 'until', id: 'recipient' });
      fm.message('success', t('report.spDone'));
    },
  });
  return [heading(t('report.title')),
    h('section', { 'aria-labelledby': 'nk-title' }, h('h2', { id: 'nk-title' }, t('report.nkTitle')),
      h('p', {}, t('report.nkIntro')), nk.el),
    h('section', { class: 'mt-8', 'aria-labelledby': 'sp-title' }, h('h2', { id: 'sp-title' }, t('report.spTitle')),
      sp.el, list)];
}

const kStatuses = ['pending', 'forwarded', 'stopped', 'settled', 'failed'];
const statusText = (s) => (kStatuses.includes(s) ? t(`status.${s}`) : s);

export function paymentsPage() {
  const recipient = field({ name: 'recipient', label: t('field.recipient'), hint: t('field.recipientHint'),
                            width: 'input-width-m' });
  const system = field({ name: 'system', label: t('field.system'), width: 'input-width-m' });
  const e2e = field({ name: 'end_to_end', label: t('field.endToEnd'), width: 'input-width-m' });
  const from = field({ name: 'from', label: t('field.from'), hint: t('field.dateHint'), width: 'input-char-11' });
  const to = field({ name: 'to', label: t('field.to'), hint: t('field.dateHint'), width: 'input-char-11' });
  const status = field({ name: 'status', label: t('field.status'), value: '', options: [
    ['', t('status.any')], ...kStatuses.map((s) => [s, t(`status.${s}`)])] });
  const results = h('div', { 'aria-live': 'polite' });
  const detail = h('div');
  const f = form({
    fields: [recipient, system, e2e, from, to, status], submitText: t('search'),
    check: (v) => {
      const e = {};
      if (v.recipient && !recipientId(v.recipient)) e.recipient = t('v.recipient');
      if (v.from && !/^\d{4}-\d{2}-\d{2}$/.test(v.from)) e.from = t('v.date');
      if (v.to && !/^\d{4}-\d{2}-\d{2}$/.test(v.to)) e.to = t('v.date');
      return e;
    },
    submit: async (v, fm) => {
      const q = new URLSearchParams();
      if (v.recipient) q.set('recipient', recipientId(v.recipient));
      for (const k of ['system', 'end_to_end', 'from', 'to', 'status']) if (v[k]) q.set(k, v[k]);
      const r = await api('GET', `/api/v1/payments?${q}`);
      if (!r.ok) return fm.serverError(r.problem);
      const list = r.data?.payments || [];
      results.replaceChildren(list.length ? table(t('pay.results', { count: list.length }),
        [t('pay.id'), t('pay.date'), t('pay.amount'), t('field.recipient'), t('pay.status'), t('actions')],
        list.map((p) => [p.end_to_end, p.payout_date, formatAmount(p.amount_ore), p.recipient || '', statusText(p.status),
          h('button', { type: 'button', class: 'button button-tertiary',
                        onclick: () => showPayment(p.system, p.end_to_end) }, t('pay.details'))]))
        : h('p', {}, t('pay.none')));
    },
  });
  const showPayment = async (sys, id) => {
    const path = `/api/v1/payments/${enc(sys)}/${enc(id)}`;
    const r = await api('GET', path);
    if (!r.ok) return detail.replaceChildren(fail(r, path));
    const p = r.data;
    const rows = [[t('field.system'), p.system], [t('pay.id'), p.end_to_end], [t('pay.date'), p.payout_date],
      [t('pay.amount'), formatAmount(p.amount_ore)], [t('field.recipient'), p.recipient || ''],
      [t('field.benefit'), p.benefit || ''], [t('pay.status'), statusText(p.status)], [t('pay.account'), p.account || ''],
      [t('pay.why'), p.why || '']];
    const out = [h('h2', { tabindex: '-1' }, t('pay.detailTitle', { id: p.end_to_end })),
      p.account && (p.status === 'forwarded' || p.status === 'settled')
        ? h('p', { 'data-testid': 'went-to' }, t('pay.wentTo', { account: p.account })) : null,
      h('dl', { class: 'portal-facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))];
    if (p.status === 'pending') {
      out.push(h('button', { type: 'button', class: 'button button-primary', onclick: async () => {
        if (!(await confirmAction(t('pay.stopConfirm', { id: p.end_to_end, amount: formatAmount(p.amount_ore) }),
                                  t('pay.stop')))) return;
        const s = await api('POST', `${path}/stop`, {});
        if (!s.ok) return announce('error', problemText(s.problem));
        announce('success', t('pay.stopped', { id: p.end_to_end }));
        showPayment(sys, id);
      } }, t('pay.stop')));
    }
    detail.replaceChildren(...out.filter(Boolean));
    detail.querySelector('h2').focus();
  };
  return [heading(t('pay.title')), f.el, results, detail];
}

// The authority's configuration (GET /api/v1/authority): LOS units,
// benefit types, policy, connections, role profiles.
const getAuthority = () => api('GET', '/api/v1/authority');

// A section: a table loaded from the API and a form that changes it; the
// table reloads after a change.
function adminSection({ title, load, formTitle, fields, check, submit, submitText }) {
  const box = loader(load);
  const f = form({
    fields, submitText: submitText || t('save'), check,
    submit: async (v, fm) => {
      const r = await submit(v);
      if (r.cancelled) return;
      if (!r.ok) return fm.serverError(r.problem, r.fieldOf || {});
      fm.message('success', r.done || t('admin.saved'));
      box.reload();
    },
  });
  return [box, h('h2', { class: 'mt-7' }, formTitle), f.el];
}

async function authorityTable(key, caption, headers, row) {
  const r = await getAuthority();
  if (!r.ok) return fail(r, '/api/v1/authority');
  const list = r.data?.[key] || [];
  return list.length ? table(caption, headers, list.map(row)) : h('p', {}, `${caption}: ${t('none')}`);
}

const idPattern = /^[A-Za-z0-9._-]{1,64}$/;

export function benefitsPage() {
  const code = field({ name: 'code', label: t('benefit.code'), width: 'input-width-m' });
  const name = field({ name: 'name', label: t('benefit.name'), width: 'input-width-l' });
  return [heading(t('benefit.title')), adminSection({
    load: () => authorityTable('benefit_types', t('benefit.title'), [t('benefit.code'), t('benefit.name')],
                               (b) => [b.code, b.name]),
    formTitle: t('benefit.add'), fields: [code, name],
    check: (v) => {
      const e = {};
      if (!/^[a-z0-9][a-z0-9-]*$/.test(v.code)) e.code = t('v.benefit');
      if (!v.name) e.name = t('v.required');
      return e;
    },
    submit: async (v) => ({ ...(await api('PUT', `/api/v1/authority/benefit-types/${enc(v.code)}`, { name: v.name })),
                            done: t('benefit.saved', { code: v.code }) }),
  })];
}

// ---------------------------------------------------------------- administrator
const adminSections = [
  ['brugere', 'admin.users'], ['los', 'admin.los'], ['roller', 'admin.roles'],
  ['politik', 'admin.policy'], ['tilslutninger', 'admin.connections'],
];
const kFunctions = ['register-read', 'nemkonto-update', 'specific-update', 'payments-search', 'payments-stop',
                    'benefit-types', 'users-admin', 'control'];

export function adminPage(section = 'brugere') {
  const nav = h('nav', { 'aria-label': t('admin.title') }, h('ul', { class: 'sidenav-list' },
    adminSections.map(([s, key]) => h('li', { class: s === section ? 'active current' : null },
      h('a', { href: `/administrator/${s}`, 'aria-current': s === section ? 'page' : null }, t(key))))));
  const title = t(Object.fromEntries(adminSections)[section] || 'admin.users');
  const body = ({ los: losSection, roller: rolesSection, politik: policySection, tilslutninger: connectionsSection }[section]
    || usersSection)(title);
  return [heading(`${t('admin.title')}: ${title}`), h('div', { class: 'row' },
    h('div', { class: 'col-12 col-lg-3' }, nav), h('div', { class: 'col-12 col-lg-9' }, body))];
}

function usersSection(title) {
  const id = field({ name: 'id', label: t('field.user'), width: 'input-width-m' });
  const name = field({ name: 'name', label: t('field.name'), width: 'input-width-l' });
  const role = field({ name: 'role', label: t('field.role'), hint: t('field.roleHint'), width: 'input-width-m' });
  const los = field({ name: 'los', label: t('field.los'), width: 'input-width-m' });
  const cases = field({ name: 'cases', label: t('field.paymentSystemCases'), checkbox: true });
  return adminSection({
    load: async () => {
      const r = await api('GET', '/api/v1/users');
      if (!r.ok) return fail(r, '/api/v1/users');
      const list = r.data?.users || [];
      return table(title, [t('field.user'), t('field.name'), t('admin.grants'), t('field.paymentSystemCases')],
        list.map((u) => [u.id, u.name, (u.grants || []).map((g) => `${g.role}@${g.los}`).join(', '),
                         u.payment_system_cases ? t('yes') : t('no')]));
    },
    formTitle: t('admin.addUser'), submitText: t('admin.addUser'), fields: [id, name, role, los, cases],
    check: (v) => {
      const e = {};
      if (!idPattern.test(v.id)) e.id = t('v.id');
      if (!v.name) e.name = t('v.required');
      if (!v.role) e.role = t('v.required');
      if (!v.los) e.los = t('v.required');
      return e;
    },
    submit: async (v) => {
      const grants = v.role.split(',').map((x) => x.trim()).filter(Boolean).map((x) => ({ role: x, los: v.los }));
      const r = await api('PUT', `/api/v1/users/${enc(v.id)}`, { name: v.name, grants, payment_system_cases: v.cases });
      return { ...r, done: t('admin.userAdded', { id: v.id }), fieldOf: { grants: 'role', payment_system_cases: 'cases' } };
    },
  });
}

function losSection(title) {
  const id = field({ name: 'id', label: t('admin.losId'), width: 'input-width-m' });
  const name = field({ name: 'name', label: t('field.name'), width: 'input-width-l' });
  const parent = field({ name: 'parent', label: t('admin.losParent'), width: 'input-width-m' });
  return adminSection({
    load: () => authorityTable('los_units', title, [t('admin.losId'), t('field.name'), t('admin.losParent')],
                               (u) => [u.id, u.name, u.parent || '']),
    formTitle: t('admin.losAdd'), fields: [id, name, parent],
    check: (v) => {
      const e = {};
      if (!idPattern.test(v.id)) e.id = t('v.id');
      if (!v.name) e.name = t('v.required');
      if (v.parent && !idPattern.test(v.parent)) e.parent = t('v.id');
      return e;
    },
    submit: async (v) => api('PUT', `/api/v1/authority/los-units/${enc(v.id)}`,
                             v.parent ? { name: v.name, parent: v.parent } : { name: v.name }),
  });
}

function rolesSection(title) {
  const name = field({ name: 'name', label: t('admin.roleName'), width: 'input-width-m' });
  const boxes = kFunctions.map((f) => field({ name: `fn-${f}`, label: f, checkbox: true }));
  return adminSection({
    load: () => authorityTable('role_profiles', title, [t('admin.roleName'), t('admin.functions')],
                               (r) => [r.name, (r.functions || []).join(', ')]),
    formTitle: t('admin.roleAdd'), fields: [name, ...boxes],
    check: (v) => {
      const e = {};
      if (!idPattern.test(v.name)) e.name = t('v.id');
      if (!kFunctions.some((f) => v[`fn-${f}`])) e[`fn-${kFunctions[0]}`] = t('v.functions');
      return e;
    },
    submit: async (v) => api('PUT', `/api/v1/authority/role-profiles/${enc(v.name)}`,
                             { functions: kFunctions.filter((f) => v[`fn-${f}`]) }),
  });
}

function policySection(title) {
  const policy = field({ name: 'policy', label: t('admin.policy'), value: 'RETURN', options: [
    ['RETURN', t('policy.RETURN')], ['CHEQUE', t('policy.CHEQUE')], ['ERROR_ACCOUNT', t('policy.ERROR_ACCOUNT')]] });
  const [reg, acc] = accountFields('err');
  const late = field({ name: 'late', label: t('admin.late'), value: 'reject', options: [
    ['reject', t('late.reject')], ['next-banking-day', t('late.next')]] });
  return adminSection({
    load: async () => {
      const r = await getAuthority();
      if (!r.ok) return fail(r, '/api/v1/authority');
      const a = r.data;
      policy.input.value = a.policy;
      late.input.value = a.late_payments;
      return h('dl', { class: 'portal-facts', 'data-testid': 'policy' },
        h('dt', {}, t('admin.policy')), h('dd', {}, t(`policy.${a.policy}`)),
        h('dt', {}, t('admin.errorAccount')), h('dd', {}, a.error_account || t('none')),
        h('dt', {}, t('admin.late')), h('dd', {}, a.late_payments === 'reject' ? t('late.reject') : t('late.next')));
    },
    formTitle: t('admin.policyChange'), fields: [policy, reg, acc, late],
    check: (v) => {
      const e = {};
      if (v.policy === 'ERROR_ACCOUNT' || v.errreg || v.erracc) checkAccount(v, e, 'err');
      return e;
    },
    submit: async (v) => {
      if (!(await confirmAction(t('admin.policyConfirm', { policy: t(`policy.${v.policy}`) })))) return { cancelled: true };
      const body = { policy: v.policy, late_payments: v.late };
      if (v.errreg) body.error_account = accountText(v, 'err');
      return { ...(await api('PUT', '/api/v1/authority/policy', body)), fieldOf: { error_account: 'erracc' } };
    },
  });
}

function connectionsSection(title) {
  const system = field({ name: 'system', label: t('field.system'), width: 'input-width-m' });
  const reference = field({ name: 'reference', label: t('admin.connectionRef'), width: 'input-width-m' });
  return adminSection({
    load: () => authorityTable('connections', title, [t('field.system'), t('field.status'), t('admin.connectionRef')],
                               (c) => [c.system, c.state, c.reference || '']),
    formTitle: t('admin.connectionAdd'), fields: [system, reference],
    check: (v) => (idPattern.test(v.system) ? {} : { system: t('v.id') }),
    submit: async (v) => api('POST', '/api/v1/authority/connections',
                             v.reference ? { system: v.system, reference: v.reference } : { system: v.system }),
  });
}

// ---------------------------------------------------------------- controller
export function controlPage() {
  const now = new Date();
  const month = field({ name: 'month', label: t('field.month'), hint: t('field.monthHint'), width: 'input-char-8',
                        value: `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}` });
  const result = h('div', { 'aria-live': 'polite' });
  const f = form({
    fields: [month], submitText: t('control.show'),
    check: (v) => (/^\d{4}-(0[1-9]|1[0-2])$/.test(v.month) ? {} : { month: t('v.month') }),
    submit: async (v, fm) => {
      const path = `/api/v1/control-list?month=${enc(v.month)}`;  // CSV; &format=pdf for the PDF
      const r = await api('GET', path);
      if (!r.ok) return fm.serverError(r.problem);
      const lines = parseCsv(r.text);
      const [head, ...rows] = lines;
      result.replaceChildren(
        h('p', {},
          h('a', { class: 'button button-secondary', href: path, download: `kontrolliste-${v.month}.csv`,
                   'data-testid': 'csv' }, t('control.csv')), ' ',
          h('a', { class: 'button button-secondary', href: `${path}&format=pdf`, download: `kontrolliste-${v.month}.pdf`,
                   'data-testid': 'pdf' }, t('control.pdf'))),
        rows.length ? table(t('control.rows', { count: rows.length, month: v.month }), head || [], rows)
          : h('p', {}, t('control.empty', { month: v.month })));
    },
  });
  return [heading(t('control.title')), h('p', {}, t('control.intro')), f.el, result];
}

// RFC 4180: quoted fields, doubled quotes.
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

export function notFoundPage() {
  return [heading(t('notFound.title')), h('p', {}, t('notFound.body')), h('p', {}, h('a', { href: '/' }, t('app.title')))];
}

// A message at the top of <main>, announced to screen readers.
export function announce(variant, text) {
  const region = document.getElementById('announce');
  region.replaceChildren(alert(variant, text));
}
