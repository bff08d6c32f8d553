// Formal concerns (issue "Formal concerns"): anyone raises one about a case,
// licence, review, advice revision or policy, openly or with their identity
// sealed; nominated officers acknowledge, consider, respond, escalate;
// nobody closes one without a substantive response. Routes, feature-detected:
//   GET/POST /api/v1/concerns, GET /api/v1/concerns/{id}, GET /api/v1/concerns/stats,
//   POST /api/v1/concerns/{id}/{acknowledge|consider|respond|escalate|appeal|close|messages|reveal}
import { get, hasRoute, post } from './api.js';
import { h, pathToId, prose, replace } from './dom.js';
import {
  button, caption, checkbox, checkboxes, details, heading, hint, input, inset, link, para, radios, summaryList, table, tag, textarea,
} from './govuk.js';
import * as fmt from './format.js';
import { clearPageErrors, onSubmit, required } from './forms.js';
import { flash, initComponents, params, showBanner, startPage } from './layout.js';
import { notAvailable } from './unavailable.js';

const LIST = '/api/v1/concerns';
const ONE = '/api/v1/concerns/{id}';
const STATS = '/api/v1/concerns/stats';
const path = (id, suffix = '') => `${LIST}/${encodeURIComponent(id)}${suffix}`;

const CATEGORIES = {
  legal_risk: ['Legal risk', 'A licence or decision may break the law or the criteria, for example Criterion 2c.'],
  policy_dissent: ['Policy dissent', 'You disagree with the policy being applied.'],
  implementation_dissent: ['Implementation dissent', 'You disagree with how the policy is being applied to a case.'],
  conduct: ['Conduct', 'Someone’s conduct in the process is wrong.'],
};
const STATUS = {
  raised: ['Raised', 'blue'], acknowledged: ['Acknowledged', 'yellow'], under_consideration: ['Under consideration', 'purple'],
  responded: ['Responded', 'turquoise'], appealed: ['Appealed', 'pink'], escalated: ['Escalated', 'red'], closed: ['Closed', 'green'],
};
const statusTag = (s) => tag((STATUS[s] ?? [String(s ?? '')])[0], (STATUS[s] ?? ['', 'grey'])[1]);
const category = (c) => (CATEGORIES[c] ?? [String(c ?? '').replace(/_/g, ' ')])[0];

// What each step is, who takes it, and what it needs (docs/workflow.md, "Formal concerns").
const STEPS = {
  acknowledge: { label: 'Acknowledge', roles: ['nominated_officer'], from: ['raised', 'escalated'] },
  consider: { label: 'Start considering', roles: ['nominated_officer'], from: ['acknowledged', 'appealed', 'escalated'] },
  respond: { label: 'Respond', roles: ['nominated_officer'], from: ['acknowledged', 'under_consideration', 'escalated'], text: 'Response', outcome: true },
  escalate: { label: 'Escalate', roles: ['nominated_officer', 'reporter'], from: ['raised', 'acknowledged', 'under_consideration', 'appealed', 'escalated'], text: 'Reason' },
  appeal: { label: 'Contest the response', roles: ['reporter'], from: ['responded'], text: 'Why the response is not enough' },
  close: { label: 'Close', roles: ['nominated_officer', 'reporter'], from: ['responded'] },
  reveal: { label: 'Open the sealed identity', roles: ['nominated_officer'], from: null, text: 'Reason for opening it', sealedOnly: true },
};

export function concernsPage() {
  return startPage({
    area: 'concerns', title: 'Formal concerns',
    async render(main, { user }) {
      if (!(await hasRoute('GET', LIST))) {
        notAvailable(main, { title: 'Formal concerns', what: 'Raising and answering formal concerns', routes: [`GET ${LIST}`, `POST ${LIST}`, `GET ${ONE}`] });
        return;
      }
      const [{ data }, canRaise, hasStats] = await Promise.all([get(LIST), hasRoute('POST', LIST), hasRoute('GET', STATS)]);
      const concerns = Array.isArray(data) ? data : data.concerns || [];
      const stats = hasStats && ['nominated_officer', 'auditor'].includes(user.role) ? (await get(STATS)).data : null;
      replace(main,
        heading(1, 'Formal concerns'),
        para('If you believe a licence, a decision, an assessment or a policy is wrong, raise a formal concern. It is recorded, it must be acknowledged within 7 days and answered in substance within 3 months, and it cannot be closed without an answer that says what was done and why. Overdue concerns go up the escalation chain.'),
        canRaise ? raiseForm(user) : null,
        heading(2, user.role === 'nominated_officer' || user.role === 'auditor' ? 'All concerns' : 'Your concerns', 'm'),
        concerns.length ? h('div', { class: 'app-table-wrap' }, table({
          head: ['Concern', 'About', 'Category', 'Status', 'Acknowledge by', 'Respond by'],
          rows: concerns.map((c) => [link(`/concern.html?id=${encodeURIComponent(c.id)}`, String(c.id)), c.about ?? '', category(c.category),
            h('span', { class: 'app-tags' }, statusTag(c.status), c.overdue ? tag('Overdue', 'red') : null),
            fmt.date(c.acknowledge_by ?? c.deadlines?.acknowledge_by), fmt.date(c.respond_by ?? c.deadlines?.respond_by)]),
        })) : para('No concerns to show.'),
        stats ? statsView(stats) : null);
    },
  });
}

function raiseForm(user) {
  const f = (k) => ({ id: pathToId(k, 'concern-'), name: k });
  const about = params().get('about') || '';
  const form = h('form', { class: 'app-action-form', id: 'concern-form' },
    heading(2, 'Raise a formal concern', 'm'),
    input({ ...f('about'), label: 'What is it about?', value: about, spellcheck: false,
      hint: 'case:REFERENCE, licence:REFERENCE, review:ID, advice:ID or policy:NAME. The concern records the exact version it is about.' }),
    radios({ ...f('category'), legend: 'Category', legendSize: 's',
      items: Object.entries(CATEGORIES).map(([value, [text, hintText]]) => ({ value, text, hint: hintText })) }),
    checkboxes({ ...f('criteria'), legend: 'Criteria concerned (optional)', legendSize: 's', small: true,
      items: fmt.CRITERIA.map(([id, title]) => ({ value: id, text: `${id}: ${title}` })) }),
    textarea({ ...f('text'), label: 'Your concern', rows: 8, hint: 'What is wrong, what evidence shows it, and what you think should happen. It is never edited or deleted.' }),
    user.staff ? checkbox({ ...f('confidential'), label: 'Seal my identity',
      hint: 'Only a nominated officer can open the seal, and every opening is recorded with its reason. You follow the concern with a receipt code.' }) : null,
    button('Raise concern'));
  return onSubmit(form, {
    prefix: 'concern-',
    check(v) {
      const p = [];
      if (!/^(case|licence|review|advice|policy):\S+/.test(v.about)) p.push({ path: 'about', text: 'Enter what the concern is about, like case:GBSIEL/2026/0000001/P' });
      required(v, 'category', 'Select a category', p);
      required(v, 'text', 'Enter your concern', p);
      return p;
    },
    async send(v) {
      const body = { about: v.about, category: v.category, text: v.text, criteria: v.criteria };
      if ((v.confidential || []).includes('yes')) body.confidential = true;
      const r = await post(LIST, body);
      if (r.data.receipt) {
        // A receipt code is shown once: stay on this page so that it can be written down.
        replace(form, h('div', { class: 'govuk-panel govuk-panel--confirmation' },
          h('h2', { class: 'govuk-panel__title' }, 'Your concern is raised'),
          h('div', { class: 'govuk-panel__body' }, 'Your receipt code is', h('br'), h('strong', { class: 'app-hash' }, r.data.receipt))),
        para('Write the code down now: it is shown only once. You need it to follow your concern and exchange messages about it without your name.'));
        clearPageErrors();
        return;
      }
      flash({ success: true, heading: `Concern ${r.data.id} is raised`, body: 'A nominated officer must acknowledge it within 7 days.' });
      location.assign(`/concern.html?id=${encodeURIComponent(r.data.id)}`);
    },
  });
}

function statsView(stats) {
  const rows = Array.isArray(stats) ? stats : stats.rows || stats.by_quarter || [];
  if (!rows.length) return null;
  const keys = Object.keys(rows[0]);
  return [heading(2, 'Statistics', 'm'), hint('Anonymised: the figures an oversight committee asks for.'),
    h('div', { class: 'app-table-wrap' }, table({ head: keys.map((k) => k.replace(/_/g, ' ')), rows: rows.map((r) => keys.map((k) => String(r[k] ?? ''))) }))];
}

// ---- one concern ----

export function concernPage() {
  return startPage({
    area: 'concerns', title: 'Formal concern',
    async render(main, { user }) {
      const id = params().get('id');
      if (!(await hasRoute('GET', ONE))) {
        notAvailable(main, { title: 'Formal concern', what: 'Raising and answering formal concerns', routes: [`GET ${ONE}`] });
        return;
      }
      const available = Object.fromEntries(await Promise.all([...Object.keys(STEPS), 'messages'].map(async (s) => [s, await hasRoute('POST', `${ONE}/${s}`)])));
      const view = new ConcernView(main, user, id, available);
      await view.load();
    },
  });
}

class ConcernView {
  constructor(main, user, id, available) {
    Object.assign(this, { main, user, id, available });
  }

  async load() {
    const r = await get(path(this.id));
    this.concern = r.data;
    this.etag = r.etag;
    this.draw();
  }

  isReporter() {
    const c = this.concern;
    return c.reporter === this.user.name || c.is_reporter === true;
  }

  /** The steps this user may take now: the server's allowed_events, else the workflow table. */
  steps() {
    const c = this.concern;
    if (Array.isArray(c.allowed_events)) return c.allowed_events.filter((e) => e in STEPS);
    const roles = [this.user.role, this.isReporter() ? 'reporter' : null];
    return Object.entries(STEPS).filter(([, s]) => (s.from === null ? c.status !== 'closed' : s.from.includes(c.status))
      && s.roles.some((r) => roles.includes(r)) && (!s.sealedOnly || c.confidential)).map(([e]) => e);
  }

  async send(step, body, message) {
    await post(path(this.id, `/${step}`), body, { ifMatch: this.etag || undefined });
    await this.load();
    clearPageErrors();
    showBanner({ success: true, heading: message });
  }

  draw() {
    const c = this.concern;
    const messages = c.messages || c.thread || [];
    const steps = this.steps().filter((s) => this.available[s]);
    replace(this.main,
      h('a', { href: '/concerns.html', class: 'govuk-back-link' }, 'Back to formal concerns'),
      caption(category(c.category)),
      heading(1, `Concern ${c.id}`),
      h('p', { class: 'govuk-body app-tags' }, 'Status: ', statusTag(c.status), c.overdue ? tag('Overdue', 'red') : null),
      c.status === 'acknowledged' ? inset('An acknowledgement is not an answer: the concern stays open until a substantive response says what was decided, done or not done, and why.') : null,
      summaryList([
        { key: 'About', value: c.about ? aboutLink(c.about, c.about_revision) : null },
        { key: 'Concern', value: prose(c.text, 'govuk-body govuk-!-margin-bottom-0') },
        { key: 'Criteria', value: fmt.criteriaList(c.criteria).map(fmt.criterion).join('; ') || undefined },
        { key: 'Raised by', value: c.confidential ? (c.reporter ? `${c.reporter} (sealed identity, opened)` : 'Sealed identity') : (c.reporter ?? undefined) },
        { key: 'Raised', value: fmt.dateTime(c.raised_at ?? c.created_at) },
        { key: 'Acknowledge by', value: fmt.date(c.acknowledge_by ?? c.deadlines?.acknowledge_by) || undefined },
        { key: 'Respond by', value: fmt.date(c.respond_by ?? c.deadlines?.respond_by) || undefined },
        { key: 'Response', value: c.response ? h('div', null, c.outcome ? tag(String(c.outcome).replace(/[-_]/g, ' '), 'turquoise') : null,
          prose(c.response, 'govuk-body govuk-!-margin-top-2 govuk-!-margin-bottom-0')) : undefined },
      ]),
      heading(2, 'Messages and history', 'm'),
      messages.length ? h('ul', { class: 'govuk-list govuk-list--spaced' }, messages.map((m) => h('li', null,
        m.event ? h('p', { class: 'govuk-body govuk-!-margin-bottom-1' }, tag(String(m.event).replace(/_/g, ' '), 'grey')) : null,
        m.text ? prose(m.text, 'govuk-body govuk-!-margin-bottom-1') : null,
        h('p', { class: 'govuk-body-s app-meta' }, `${m.author ?? m.actor ?? ''}${m.author || m.actor ? ', ' : ''}${fmt.dateTime(m.at ?? m.created_at)}`)))) : para('No messages yet.'),
      this.available.messages && c.status !== 'closed' ? this.messageForm() : null,
      steps.length ? [heading(2, 'What you can do', 'm'), steps.map((s) => this.stepForm(s))] : null);
    initComponents(this.main);
  }

  messageForm() {
    const form = h('form', { class: 'app-action-form', id: 'message-form' },
      textarea({ id: 'message-text', name: 'text', label: 'Add a message', labelSize: 's', rows: 4 }),
      button('Send message', { variant: 'secondary' }));
    return onSubmit(form, {
      prefix: 'message-',
      check: (v) => { const p = []; required(v, 'text', 'Enter your message', p); return p; },
      send: (v) => this.send('messages', { text: v.text }, 'Your message is added'),
    });
  }

  stepForm(step) {
    const s = STEPS[step];
    const prefix = `${step}-`;
    const f = (k) => ({ id: pathToId(k, prefix), name: k });
    const form = h('form', { class: 'app-action-form' },
      s.outcome ? radios({ ...f('outcome'), legend: 'Outcome', legendSize: 's', items: [
        { value: 'upheld', text: 'Upheld' }, { value: 'partly-upheld', text: 'Partly upheld' }, { value: 'not-upheld', text: 'Not upheld' }] }) : null,
      s.text ? textarea({ ...f(step === 'respond' ? 'text' : 'reason'), label: s.text, rows: 5,
        hint: step === 'respond' ? 'What was decided, what was done or not done, and why.' : undefined }) : null,
      button(s.label, { variant: step === 'reveal' ? 'warning' : undefined }));
    onSubmit(form, {
      prefix,
      check: (v) => {
        const p = [];
        if (s.outcome) required(v, 'outcome', 'Select the outcome', p);
        if (s.text) required(v, step === 'respond' ? 'text' : 'reason', `Enter the ${s.text.toLowerCase()}`, p);
        return p;
      },
      send: (v) => {
        const body = {};
        if (s.outcome) body.outcome = v.outcome;
        if (step === 'respond') body.text = v.text;
        else if (s.text) body.reason = v.reason;
        return this.send(step, Object.keys(body).length ? body : undefined, `${s.label}: done`);
      },
    });
    return step === 'reveal' ? details(s.label, form) : h('div', null, heading(3, s.label, 's'), form);
  }
}

function aboutLink(about, revision) {
  const [kind, ...rest] = String(about).split(':');
  const ref = rest.join(':');
  const href = { case: fmt.applicationHref(ref), licence: fmt.licenceHref(ref), review: `/review.html?id=${encodeURIComponent(ref)}` }[kind];
  const text = `${about}${revision ? ` (as at revision ${revision})` : ''}`;
  return href ? link(href, text) : text;
}
