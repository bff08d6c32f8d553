// Formal concerns (issue "Formal concerns"): anyone raises one about a case,
// licence, review, advice revision or policy, openly or with their identity
// sealed; nominated officers acknowledge, consider, respond, escalate;
// nobody closes one without a substantive response. Routes, feature-detected:
//   GET/POST /api/v1/concerns, GET /api/v1/concerns/{id}, GET /api/v1/concern-stats,
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
const STATS = '/api/v1/concern-stats';
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
// The API gives a concern's state as `state`, what it is about as {kind, id, version}
// and its deadlines under `deadlines` (docs/openapi.yaml, Concern).
const stateOf = (c) => c.state ?? c.status;
const aboutText = (a) => (a && typeof a === 'object' ? `${a.kind}:${a.id}` : a ?? '');
const overdue = (c) => Boolean(c.deadlines?.overdue ?? c.overdue);
const outcomeText = (o) => String(o ?? '').replace(/[-_]/g, ' ');

// A substantive response has three parts (docs/concerns.md): each its own field.
const RESPONSE_PARTS = [
  ['decision', 'What was decided', 'The decision itself, for example that the licence is suspended pending the review.'],
  ['actions', 'What was done or not done', 'What was done as a result, or what was not done.'],
  ['reasons', 'Why', 'The reasons for the decision and for what was or was not done.'],
];

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
          rows: concerns.map((c) => [link(`/concern.html?id=${encodeURIComponent(c.id)}`, String(c.id)), aboutText(c.about), category(c.category),
            h('span', { class: 'app-tags' }, statusTag(stateOf(c)), overdue(c) ? tag('Overdue', 'red') : null),
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
      hint: 'case:REFERENCE, licence:REFERENCE, review:RV-0001, advice:ID or policy:NAME. The concern records the exact version it is about.' }),
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
  const rows = Array.isArray(stats) ? stats : stats.rows || [];
  if (!rows.length) return null;
  // Counts too small to show without pointing at someone are null and named in `suppressed`.
  const min = stats.min_count || 3;
  const keys = Object.keys(rows[0]).filter((k) => k !== 'suppressed');
  const cell = (r, k) => (r[k] === null && (r.suppressed || []).includes(k) ? `<${min}` : String(r[k] ?? ''));
  return [heading(2, 'Statistics', 'm'),
    hint(`Anonymised: the figures an oversight committee asks for. Counts below ${min} are shown as <${min}.`),
    h('div', { class: 'app-table-wrap' }, table({ head: keys.map((k) => k.replace(/_/g, ' ')), rows: rows.map((r) => keys.map((k) => cell(r, k))) }))];
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
    if (Array.isArray(c.allowed_events)) return c.allowed_events.filter((e) => e in STEPS && (!STEPS[e].sealedOnly || c.confidential));
    const roles = [this.user.role, this.isReporter() ? 'reporter' : null];
    return Object.entries(STEPS).filter(([, s]) => (s.from === null ? stateOf(c) !== 'closed' : s.from.includes(stateOf(c)))
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
    const events = Array.isArray(c.events) ? c.events : [];
    const steps = this.steps().filter((s) => this.available[s]);
    const state = stateOf(c);
    replace(this.main,
      h('a', { href: '/concerns.html', class: 'govuk-back-link' }, 'Back to formal concerns'),
      caption(category(c.category)),
      heading(1, `Concern ${c.id}`),
      h('p', { class: 'govuk-body app-tags' }, 'Status: ', statusTag(state), overdue(c) ? tag('Overdue', 'red') : null),
      state === 'acknowledged' ? inset('An acknowledgement is not an answer: the concern stays open until a substantive response says what was decided, what was done or not done, and why.') : null,
      summaryList([
        { key: 'About', value: c.about ? aboutLink(aboutText(c.about), c.about?.version ?? c.about_revision) : null },
        { key: 'Concern', value: prose(c.text, 'govuk-body govuk-!-margin-bottom-0') },
        { key: 'Criteria', value: fmt.criteriaList(c.criteria).map(fmt.criterion).join('; ') || undefined },
        { key: 'Raised by', value: c.confidential ? (c.reporter ? `${c.reporter} (sealed identity, opened)` : 'Sealed identity') : (c.reporter ?? undefined) },
        { key: 'Raised', value: c.raised_on ? fmt.date(c.raised_on) : fmt.dateTime(c.raised_at ?? c.created_at) },
        { key: 'Acknowledge by', value: fmt.date(c.acknowledge_by ?? c.deadlines?.acknowledge_by) || undefined },
        { key: 'Respond by', value: fmt.date(c.respond_by ?? c.deadlines?.respond_by) || undefined },
      ]),
      c.response ? responseView(c.response, c.outcome) : null,
      events.length ? [heading(2, 'History', 'm'), h('ol', { class: 'govuk-list govuk-list--spaced', id: 'concern-history' }, events.map((e) => h('li', null,
        h('p', { class: 'govuk-body govuk-!-margin-bottom-1 app-tags' }, tag(String(e.event).replace(/_/g, ' '), 'grey'), e.outcome ? tag(outcomeText(e.outcome), 'turquoise') : null),
        e.event === 'respond' && e.decision ? responseParts(e) : (e.text ? prose(e.text, 'govuk-body govuk-!-margin-bottom-1') : null),
        h('p', { class: 'govuk-body-s app-meta' }, `${e.by ?? ''}${e.as ? ` (${String(e.as).replace(/_/g, ' ')})` : ''}, ${fmt.date(e.on)}`))))] : null,
      heading(2, 'Messages', 'm'),
      messages.length ? h('ul', { class: 'govuk-list govuk-list--spaced' }, messages.map((m) => h('li', null,
        m.event ? h('p', { class: 'govuk-body govuk-!-margin-bottom-1' }, tag(String(m.event).replace(/_/g, ' '), 'grey')) : null,
        m.text ? prose(m.text, 'govuk-body govuk-!-margin-bottom-1') : null,
        h('p', { class: 'govuk-body-s app-meta' }, `${m.by ?? m.author ?? m.actor ?? ''}${m.by || m.author || m.actor ? ', ' : ''}${m.on ? fmt.date(m.on) : fmt.dateTime(m.at ?? m.created_at)}`)))) : para('No messages yet.'),
      this.available.messages && state !== 'closed' ? this.messageForm() : null,
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
    const respond = step === 'respond';
    const form = h('form', { class: 'app-action-form', id: `${step}-form` },
      s.outcome ? radios({ ...f('outcome'), legend: 'Outcome', legendSize: 's', items: [
        { value: 'upheld', text: 'Upheld' }, { value: 'partly-upheld', text: 'Partly upheld' }, { value: 'not-upheld', text: 'Not upheld' }] }) : null,
      respond ? RESPONSE_PARTS.map(([k, label, hintText]) => textarea({ ...f(k), label, labelSize: 's', rows: 4, hint: hintText })) : null,
      respond ? textarea({ ...f('text'), label: 'Note (optional)', labelSize: 's', rows: 3,
        hint: 'Anything else the reporter should know, for example what they can ask for next.' }) : null,
      s.text && !respond ? textarea({ ...f('reason'), label: s.text, rows: 5 }) : null,
      button(s.label, { variant: step === 'reveal' ? 'warning' : undefined }));
    onSubmit(form, {
      prefix,
      check: (v) => {
        const p = [];
        if (s.outcome) required(v, 'outcome', 'Select the outcome', p);
        if (respond) {
          for (const [k, label] of RESPONSE_PARTS) required(v, k, `Enter ${label.toLowerCase()}`, p);
        } else if (s.text) {
          required(v, 'reason', `Enter the ${s.text.toLowerCase()}`, p);
        }
        return p;
      },
      send: (v) => {
        const body = {};
        if (s.outcome) body.outcome = v.outcome;
        if (respond) {
          for (const [k] of RESPONSE_PARTS) body[k] = v[k];
          if (v.text) body.text = v.text;
        } else if (s.text) {
          body.reason = v.reason;
        }
        return this.send(step, Object.keys(body).length ? body : undefined, `${s.label}: done`);
      },
    });
    return step === 'reveal' ? details(s.label, form) : h('div', null, heading(3, s.label, 's'), form);
  }
}

/** A response's three parts (and its note), as a summary list. */
function responseParts(r) {
  return summaryList([
    ...RESPONSE_PARTS.map(([k, label]) => ({ key: label, value: r[k] ? prose(r[k], 'govuk-body govuk-!-margin-bottom-0') : undefined })),
    { key: 'Note', value: r.text ? prose(r.text, 'govuk-body govuk-!-margin-bottom-0') : undefined },
  ]);
}

/** The newest substantive response: its outcome, who gave it and when, and its parts.
 * A response recorded before responses had parts (or a plain text) shows its one text. */
function responseView(r, outcome) {
  const parts = typeof r === 'object' && r.decision;
  const text = typeof r === 'object' ? r.text : r;
  return h('div', { id: 'concern-response' },
    heading(2, 'Response', 'm'),
    h('p', { class: 'govuk-body app-tags' }, tag(outcomeText(r.outcome ?? outcome), 'turquoise'),
      r.by ? ` ${r.by}, ${fmt.date(r.on)}` : null),
    parts ? responseParts(r) : prose(text, 'govuk-body'));
}

function aboutLink(about, revision) {
  const [kind, ...rest] = String(about).split(':');
  const ref = rest.join(':');
  const href = { case: fmt.applicationHref(ref), licence: fmt.licenceHref(ref), review: `/review.html?id=${encodeURIComponent(ref)}` }[kind];
  const text = `${about}${revision ? ` (as at revision ${revision})` : ''}`;
  return href ? link(href, text) : text;
}
