// The portal's shell: header with the language switch and the user, the
// menu for the session's kind, a path router over the History API, and
// the first load (GET /auth/session, then the page).
import { state, t, h, api } from './ui.js';
import * as pages from './pages.js';

// path -> [page function, who may open it: 'public' | session kinds]
const routes = {
  '/': [pages.loginPage, 'public'],
  '/borger': [pages.citizenPage, ['citizen']],
  '/virksomhed': [pages.companyPage, ['company']],
  '/sagsbehandler/opslag': [pages.lookupPage, ['employee']],
  '/sagsbehandler/indberet': [pages.reportPage, ['employee']],
  '/sagsbehandler/betalinger': [pages.paymentsPage, ['employee']],
  '/sagsbehandler/ydelser': [pages.benefitsPage, ['employee']],
  '/administrator': [() => pages.adminPage('brugere'), ['employee']],
  '/kontrol': [pages.controlPage, ['employee']],
};
for (const s of ['brugere', 'los', 'roller', 'politik', 'tilslutninger']) {
  routes[`/administrator/${s}`] = [() => pages.adminPage(s), ['employee']];
}

function menu(kind) {
  if (kind === 'citizen') return [['/borger', 'nav.citizen']];
  if (kind === 'company') return [['/virksomhed', 'nav.company']];
  if (kind === 'employee') {
    return [['/sagsbehandler/opslag', 'nav.lookup'], ['/sagsbehandler/indberet', 'nav.report'],
      ['/sagsbehandler/betalinger', 'nav.payments'], ['/sagsbehandler/ydelser', 'nav.benefits'],
      ['/administrator', 'nav.admin'], ['/kontrol', 'nav.control']];
  }
  return [['/', 'nav.login']];
}

export async function refreshSession() {
  const r = await api('GET', '/auth/session');
  state.session = r.ok && r.data ? r.data : null;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  render(true);
}

async function logout() {
  await api('POST', '/auth/logout', {});
  state.session = null;
  navigate('/');
  pages.announce('success', t('logout.done'));
}

function header(path) {
  const s = state.session;
  const langButton = h('button', { type: 'button', class: 'function-link', lang: state.lang === 'da' ? 'en' : 'da',
                                   'aria-label': t('lang.switchLabel'), 'data-testid': 'lang', onclick: () => {
    state.lang = state.lang === 'da' ? 'en' : 'da';
    localStorage.setItem('nks.lang', state.lang);
    render(false);
  } }, t('lang.switch'));
  const user = s ? [h('p', { class: 'user' }, t('loggedInAs', { name: s.name || s.principal })),
    h('button', { type: 'button', class: 'function-link log-off', onclick: logout }, t('nav.logout'))] : [];
  const items = menu(s?.kind);
  return h('header', { class: 'header' },
    h('div', { class: 'portal-info' }, h('div', { class: 'portal-info-inner container' },
      h('a', { href: '/', class: 'portal-logo', 'aria-label': `${t('app.title')}, ${t('app.subtitle')}` },
        h('span', { class: 'portal-logo-name' }, t('app.title'))),
      h('div', { class: 'portal-user' }, langButton, user))),
    h('div', { class: 'solution-info' }, h('div', { class: 'solution-info-inner container' },
      h('div', { class: 'solution-heading' }, h('p', { class: 'm-0' }, t('app.subtitle'))))),
    h('div', { class: 'navigation-menu' }, h('div', { class: 'navigation-menu-inner container' },
      h('nav', { class: 'nav', 'aria-label': t('nav.label') }, h('ul', { class: 'mainmenu' },
        items.map(([href, key]) => {
          const current = path === href || (href !== '/' && path.startsWith(`${href}/`));
          return h('li', { class: current ? 'active current' : null },
            h('a', { href, class: 'nav-link', 'aria-current': current ? 'page' : null }, h('span', {}, t(key))));
        }))))));
}

function render(moveFocus) {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  document.documentElement.lang = state.lang;
  let [page, who] = routes[path] || [pages.notFoundPage, 'public'];
  if (who !== 'public' && (!state.session || !who.includes(state.session.kind))) {
    page = state.session ? () => [h('h1', { tabindex: '-1' }, t('notFound.title')), h('p', {}, t('forbidden.body'))]
      : pages.loginPage;
  }
  if (path === '/' && state.session) {
    history.replaceState(null, '', pages.homeOf(state.session));
    return render(moveFocus);
  }
  const main = h('main', { id: 'main', class: 'container portal-main' }, h('div', { id: 'announce' }), page());
  document.body.replaceChildren(
    h('a', { class: 'skipnav', href: '#main' }, t('skip')),
    header(path), main,
    h('footer', { class: 'portal-footer' }, h('div', { class: 'container' },
      h('p', {}, t('nk.letterNote')))));
  document.title = `${main.querySelector('h1')?.textContent || ''} – ${t('app.title')}`;
  if (moveFocus) main.querySelector('h1')?.focus();
}

// Links within the portal change the page without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest?.('a[href]');
  if (!a || a.hasAttribute('download') || a.target || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/auth/')) return;
  if (url.hash && url.pathname === location.pathname) return;
  e.preventDefault();
  navigate(url.pathname);
});
window.addEventListener('popstate', () => render(true));

(async () => {
  await refreshSession();
  render(false);
  document.documentElement.dataset.ready = 'true';
  performance.mark('portal-ready');
})();
