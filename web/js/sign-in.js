// Sign in: POST /api/v1/login sets the session cookie and returns the CSRF token.
import { post } from './api.js';
import { h, replace } from './dom.js';
import { button, details, heading, input, para, list, link } from './govuk.js';
import { onSubmit, required } from './forms.js';
import { params, startPage } from './layout.js';

const WRONG = 'The account name or password is not right, or the account is locked for a while after several failed attempts';

/** Only a page of this site: never send someone to another origin after signing in
 * (the URL parser decides, so that "/\t/host" or "/\\host" cannot slip through). */
export function safeNext(value) {
  if (!value || !value.startsWith('/')) return '/';
  let target;
  try {
    target = new URL(value, location.origin);
  } catch {
    return '/';
  }
  if (target.origin !== location.origin || target.pathname.startsWith('/sign-in')) return '/';
  return target.pathname + target.search + target.hash;
}

export function signInPage() {
  return startPage({
    area: 'sign-in', title: 'Sign in', signedOut: true,
    async render(main, { user }) {
      const next = safeNext(params().get('next'));
      if (user) {
        replace(main, heading(1, 'You are already signed in'),
          para(`You are signed in as ${user.name}.`), para(link(next, 'Continue')));
        return;
      }
      const form = h('form', { method: 'post', action: '/api/v1/login' },
        input({ id: 'name', label: 'Account name', autocomplete: 'username', spellcheck: false, width: 20,
          attrs: { autocapitalize: 'none' } }),
        input({ id: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', width: 20 }),
        button('Sign in'));
      onSubmit(form, {
        check(v) {
          const problems = [];
          required(v, 'name', 'Enter your account name', problems);
          required(v, 'password', 'Enter your password', problems);
          return problems;
        },
        async send(v) {
          try {
            await post('/api/v1/login', { name: v.name, password: v.password }, { signedOutOk: true });
          } catch (e) {
            // One answer whatever was wrong: the server does not say which either.
            if (e.status === 401) e.fields = [{ path: 'name', detail: WRONG }];
            throw e;
          }
          location.assign(next);
        },
      });
      replace(main, h('div', { class: 'govuk-grid-row' }, h('div', { class: 'govuk-grid-column-two-thirds' },
        heading(1, 'Sign in to export licensing'),
        para('Exporters apply for licences and follow their applications here. Licensing staff, advisers and decision makers work on cases.'),
        form,
        details('I do not have an account', [
          para('Accounts are made by an administrator of the licensing authority with the command line:'),
          h('pre', { class: 'app-hash govuk-body-s' }, 'penholder users add NAME --role ROLE [--org ORGANISATION] --password-stdin'),
          para('Roles are:'),
          list(['exporter (with an organisation)', 'case_officer', 'technical_assessor', 'adviser (with a team: fcdo, mod, ncsc, desnz)',
            'countersigner', 'decision_maker', 'nominated_officer', 'auditor', 'admin'], { bullet: true }),
          para('A demonstration database (make run) prints the accounts it made when it starts.'),
        ]))));
    },
  });
}
