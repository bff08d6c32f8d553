// Every page: who is signed in (GET /api/v1/me), the header with the
// service navigation for their role, the footer, one-off messages carried
// across a page load, and the GOV.UK components' behaviour.
import { createAll, initAll, ErrorSummary, NotificationBanner } from '/govuk/govuk-frontend.min.js';
import { ApiError, get, post, setCsrfToken, signInUrl } from './api.js';
import { h, replace } from './dom.js';
import { banner, heading, para } from './govuk.js';
import { role as roleName } from './format.js';

export const SERVICE_NAME = 'Export licensing';

/** Runs GOV.UK Frontend's behaviour (radios, tabs, error summary...) on new content. */
export function initComponents(scope) {
  markScrollableTables(scope);
  if (!document.body.classList.contains('govuk-frontend-supported')) return;
  const onError = () => {}; // an element already initialised is fine
  if (scope.matches?.('[data-module="govuk-error-summary"]')) {
    createAll(ErrorSummary, undefined, { scope: scope.parentElement, onError });
    return;
  }
  if (scope.matches?.('[data-module="govuk-notification-banner"]')) {
    createAll(NotificationBanner, undefined, { scope: scope.parentElement, onError });
    return;
  }
  initAll({ scope, onError });
}

/** A table wider than the screen scrolls sideways: keyboard users must be able to focus it to scroll. */
function markScrollableTables(scope) {
  const wraps = scope.matches?.('.app-table-wrap') ? [scope] : [...(scope.querySelectorAll?.('.app-table-wrap') ?? [])];
  for (const wrap of wraps) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      const captionText = wrap.querySelector('caption')?.textContent.trim();
      wrap.setAttribute('tabindex', '0');
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', captionText ? `${captionText} (scrolls sideways)` : 'Table (scrolls sideways)');
    } else {
      wrap.removeAttribute('tabindex');
      wrap.removeAttribute('role');
      wrap.removeAttribute('aria-label');
    }
  }
}
window.addEventListener('resize', () => markScrollableTables(document.body));

// ---- messages carried to the next page (after a redirect) ----
const FLASH_KEY = 'penholder.flash';

export function flash(message) {
  try { sessionStorage.setItem(FLASH_KEY, JSON.stringify(message)); } catch { /* private mode: no message */ }
}

function takeFlash() {
  try {
    const text = sessionStorage.getItem(FLASH_KEY);
    sessionStorage.removeItem(FLASH_KEY);
    return text ? JSON.parse(text) : null;
  } catch { return null; }
}

// ---- navigation ----

/** The service navigation of each role: [label, href, area]. */
function navItems(user) {
  if (!user) return [];
  const items = [];
  if (user.role === 'exporter') {
    items.push(['Your applications', '/', 'home'], ['Start an application', '/apply.html', 'apply']);
  } else {
    items.push(['Work queue', '/', 'home']);
  }
  items.push(['Licences', '/licences.html', 'licences']);
  if (user.staff) items.push(['Reviews', '/reviews.html', 'reviews']);
  items.push(['Formal concerns', '/concerns.html', 'concerns']);
  if (user.role === 'auditor') items.push(['Audit log', '/audit.html', 'audit']);
  return items;
}

function header(user, area) {
  const items = navItems(user);
  const account = user ? h('div', { class: 'app-header-account' },
    h('span', { class: 'app-header-account__name' },
      'Signed in as ', h('strong', null, user.name), ` (${roleName(user.role)}${user.team ? `, ${user.team.toUpperCase()}` : ''}${user.organisation ? `, ${user.organisation}` : ''})`),
    h('button', { type: 'button', class: 'app-header-account__sign-out', id: 'sign-out', onclick: signOut }, 'Sign out'))
    : null;
  return [
    h('div', { class: 'govuk-generic-header' },
      h('div', { class: 'govuk-generic-header__container govuk-width-container app-header-container' },
        h('div', { class: 'govuk-generic-header__logo' },
          h('a', { href: '/', class: 'govuk-generic-header__homepage-link' }, 'penholder')),
        account)),
    h('section', { 'aria-label': 'Service information', class: 'govuk-service-navigation', 'data-module': 'govuk-service-navigation' },
      h('div', { class: 'govuk-width-container' },
        h('div', { class: 'govuk-service-navigation__container' },
          h('span', { class: 'govuk-service-navigation__service-name' },
            h('a', { href: '/', class: 'govuk-service-navigation__link' }, SERVICE_NAME)),
          items.length ? h('nav', { 'aria-label': 'Menu', class: 'govuk-service-navigation__wrapper' },
            h('button', { type: 'button', class: 'govuk-service-navigation__toggle govuk-js-service-navigation-toggle',
              'aria-controls': 'navigation', hidden: true, 'aria-hidden': 'true' }, 'Menu'),
            h('ul', { class: 'govuk-service-navigation__list', id: 'navigation' }, items.map(([label, href, key]) => {
              const active = key === area;
              return h('li', { class: ['govuk-service-navigation__item', active && 'govuk-service-navigation__item--active'] },
                h('a', { class: 'govuk-service-navigation__link', href, 'aria-current': active ? 'page' : undefined },
                  active ? h('strong', { class: 'govuk-service-navigation__active-fallback' }, label) : label));
            }))) : null))),
  ];
}

function footer() {
  return h('div', { class: 'govuk-width-container' },
    h('div', { class: 'govuk-footer__meta' },
      h('div', { class: 'govuk-footer__meta-item govuk-footer__meta-item--grow' },
        h('h2', { class: 'govuk-visually-hidden' }, 'Support links'),
        h('ul', { class: 'govuk-footer__inline-list' },
          h('li', { class: 'govuk-footer__inline-list-item' },
            h('a', { class: 'govuk-footer__link', href: '/api/v1/openapi.yaml' }, 'API description (OpenAPI)')),
          h('li', { class: 'govuk-footer__inline-list-item' },
            h('a', { class: 'govuk-footer__link', href: '/licences.html' }, 'Licence register'))),
        h('p', { class: 'govuk-body-s app-footer-text' },
          'penholder: the case system of the export-licensing authority. Every change is recorded in an audit log anyone with the public key can verify.'))));
}

async function signOut() {
  try {
    await post('/api/v1/logout', undefined, { signedOutOk: true });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) { console.error(e); }
  }
  flash({ success: true, heading: 'You have signed out' });
  location.assign('/sign-in.html');
}

/**
 * Starts a page: reads the session, draws header and footer, then calls
 * render(main, context). Options: area (the navigation item that is
 * current), title (document title), signedOut (the page works without a
 * session: sign-in), roles (who may use the page; others see a message).
 */
export async function startPage({ area, title, signedOut = false, roles, render }) {
  document.body.classList.add('js-enabled');
  if ('noModule' in HTMLScriptElement.prototype) document.body.classList.add('govuk-frontend-supported');
  document.title = `${title} – ${SERVICE_NAME} – penholder`;
  const main = document.getElementById('main-content');
  let me = null;
  try {
    const r = await get('/api/v1/me', { signedOutOk: true });
    me = r.data;
    setCsrfToken(me.csrf_token);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      replace(main, heading(1, 'Sorry, there is a problem with the service'), para(e.message),
        para('Try again later.'));
      return;
    }
  }
  const user = me ? me.user : null;
  if (!user && !signedOut) {
    location.replace(signInUrl());
    return;
  }
  const headerEl = document.getElementById('site-header');
  replace(headerEl, header(user, area));
  replace(document.getElementById('site-footer'), footer());
  const message = takeFlash();
  const content = h('div', { class: 'app-page' });
  replace(main, h('div', { class: 'app-error-summary-slot' }), h('div', { class: 'app-banner-slot' }, message ? banner({
    success: Boolean(message.success), title: message.title, heading: message.heading,
    body: message.body ? para(message.body) : null,
  }) : null), content);
  if (roles && user && !roles.includes(user.role)) {
    append403(content, user);
  } else {
    try {
      await render(content, { user, authenticatedBy: me?.authenticated_by });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && !e.missingRoute) {
        replace(content, heading(1, 'Page not found'), para(e.message));
      } else if (e instanceof ApiError && e.status === 403) {
        append403(content, user, e.message);
      } else {
        console.error(e);
        replace(content, heading(1, 'Sorry, there is a problem with the service'), para(e.message || String(e)));
      }
    }
  }
  initComponents(document.body);
}

function append403(content, user, detail) {
  replace(content, heading(1, 'You cannot use this page'),
    para(detail || `This page is not for the ${roleName(user.role).toLowerCase()} role.`),
    para(h('a', { class: 'govuk-link', href: '/' }, 'Go to your home page')));
}

/** Puts a banner at the top of the page (replacing any earlier one) and announces it. */
export function showBanner(options) {
  const slot = document.querySelector('.app-banner-slot');
  const b = banner(options);
  slot.replaceChildren(b);
  initComponents(b);
  if (!options.success) { b.setAttribute('tabindex', '-1'); b.focus(); }
  return b;
}

export function clearBanner() {
  document.querySelector('.app-banner-slot')?.replaceChildren();
}

/** The page's query parameters. */
export const params = () => new URLSearchParams(location.search);
