// Reviews of extant licences (issue "Reviews of extant licences"): a list
// and a form to create one (scope, criteria, evidence, exceptions with their
// authority), and a review's page with its dry run (what would be suspended,
// referred, continued or excepted, and why), approval by a decision maker,
// applying it, and the HTML report. Routes, feature-detected:
//   GET/POST /api/v1/reviews, GET /api/v1/reviews/{id},
//   POST /api/v1/reviews/{id}/run | approve | apply, GET /api/v1/reviews/{id}/report.html
import { get, hasRoute, post } from './api.js';
import { cellText, h, pathToId, prose, replace } from './dom.js';
import {
  button, buttonGroup, caption, checkboxes, details, heading, hint, input, link, list, para, summaryList, table, tag, textarea,
} from './govuk.js';
import * as fmt from './format.js';
import { clearPageErrors, onSubmit, required } from './forms.js';
import { flash, initComponents, params, showBanner, startPage } from './layout.js';
import { notAvailable } from './unavailable.js';

const LIST = '/api/v1/reviews';
const ONE = '/api/v1/reviews/{id}';
const path = (id, suffix = '') => `${LIST}/${encodeURIComponent(id)}${suffix}`;

const ACTIONS = { suspend: ['Suspend', 'red'], refer: ['Refer', 'orange'], continue: ['Continue', 'green'],
  exception: ['Exception', 'purple'], reinstate: ['Reinstate', 'turquoise'] };
const actionTag = (a) => tag((ACTIONS[a] ?? [a])[0], (ACTIONS[a] ?? [a, 'grey'])[1]);
const REVIEW_STATUS = { draft: ['Draft', 'grey'], created: ['Created', 'grey'], run: ['Dry run done', 'blue'],
  approved: ['Approved', 'turquoise'], applied: ['Applied', 'green'] };
const statusTag = (s) => tag((REVIEW_STATUS[s] ?? [String(s ?? '').replace(/_/g, ' ')])[0], (REVIEW_STATUS[s] ?? ['', 'grey'])[1]);

/** "IL, PS" -> ["IL", "PS"] */
const split = (s) => String(s || '').split(/[,;\n]+/).map((x) => x.trim()).filter(Boolean);

export function reviewsPage() {
  return startPage({
    area: 'reviews', title: 'Reviews of extant licences',
    async render(main, { user }) {
      if (!user.staff) {
        replace(main, heading(1, 'Reviews of extant licences'), para('Reviews are for licensing staff.'));
        return;
      }
      if (!(await hasRoute('GET', LIST))) {
        notAvailable(main, { title: 'Reviews of extant licences', what: 'Reviewing extant licences', routes: [`GET ${LIST}`, `POST ${LIST}`, `GET ${ONE}`] });
        return;
      }
      const { data } = await get(LIST);
      const reviews = Array.isArray(data) ? data : data.reviews || [];
      const canCreate = await hasRoute('POST', LIST);
      replace(main,
        heading(1, 'Reviews of extant licences'),
        para('When the facts about a destination change, every extant licence to it is looked at again: each is re-assessed under the evidence now on the record, and the review recommends, licence by licence and with reasons, what to suspend, what to refer to a person, and what to continue. A decision maker approves the review before it is applied.'),
        reviews.length ? h('div', { class: 'app-table-wrap' }, table({
          caption: `${reviews.length} review${reviews.length === 1 ? '' : 's'}`, captionSize: 's',
          head: ['Review', 'Criteria', 'Created', 'Status'],
          rows: reviews.map((r) => [link(`/review.html?id=${encodeURIComponent(r.id)}`, r.title || `Review ${r.id}`),
            fmt.criteriaList(r.criteria).join(', '), `${fmt.date(r.created_at)}${r.created_by ? ` by ${r.created_by}` : ''}`, statusTag(r.status)]),
        })) : para('No review has been made.'),
        canCreate ? createForm() : null);
    },
  });
}

function exceptionFieldset(i) {
  const f = (k) => ({ id: pathToId(`exceptions[${i}].${k}`, 'review-'), name: `exceptions[${i}].${k}` });
  return h('fieldset', { class: 'govuk-fieldset app-repeat' },
    h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, `Exception ${i + 1}`),
    input({ ...f('tags'), label: 'Licences with these tags', hint: 'Separated by commas, for example f35-global-programme.' }),
    input({ ...f('references'), label: 'Or these licence references', hint: 'Separated by commas.' }),
    textarea({ ...f('reason'), label: 'Why these licences are excepted', rows: 3 }),
    input({ ...f('authority'), label: 'Authority', width: 20, hint: 'Where the exception was announced, for example HCWS64.' }));
}

function createForm() {
  const f = (k) => ({ id: pathToId(k, 'review-'), name: k });
  const exceptions = h('div', { id: 'review-exceptions' }, exceptionFieldset(0));
  let count = 1;
  const form = h('form', { class: 'app-action-form', id: 'review-form' },
    heading(2, 'Start a review', 'm'),
    input({ ...f('title'), label: 'Title', hint: 'For example “Israel: compliance with IHL, September 2024”.' }),
    textarea({ ...f('reason'), label: 'Why the licences are reviewed', rows: 4 }),
    checkboxes({ ...f('criteria'), legend: 'Criteria', legendSize: 's', small: true,
      items: fmt.CRITERIA.map(([id, title]) => ({ value: id, text: `${id}: ${title}` })) }),
    input({ ...f('evidence'), label: 'Evidence that triggered it', hint: 'Evidence ids separated by commas, for example EV-0001.' }),
    heading(3, 'Scope', 's'),
    input({ ...f('scope.destinations'), label: 'Destinations', hint: 'Codes or names separated by commas, for example IL.' }),
    checkboxes({ ...f('scope.statuses'), legend: 'Licence statuses', legendSize: 's', small: true, values: ['issued', 'reinstated'],
      hint: 'Extant licences are issued or reinstated.',
      items: ['issued', 'reinstated', 'suspended'].map((s) => ({ value: s, text: fmt.licenceStatus(s) })) }),
    input({ ...f('scope.ratings'), label: 'Control list ratings (optional)', hint: 'Separated by commas; a rating includes what is beneath it.' }),
    checkboxes({ ...f('scope.end_user_types'), legend: 'End-user types (optional)', legendSize: 's', small: true,
      items: Object.entries(fmt.PARTY_TYPES).map(([value, text]) => ({ value, text })) }),
    heading(3, 'Exceptions', 's'),
    hint('Licences the review would suspend but which a recorded, reasoned measure keeps, such as the F-35 global programme carve-out.'),
    exceptions,
    button('Add another exception', { type: 'button', variant: 'secondary', id: 'add-exception',
      onclick: () => { exceptions.append(exceptionFieldset(count)); count += 1; exceptions.lastChild.querySelector('input').focus(); } }),
    button('Create review'));
  return onSubmit(form, {
    prefix: 'review-',
    check(v) {
      const p = [];
      required(v, 'title', 'Enter a title', p);
      required(v, 'reason', 'Enter why the licences are reviewed', p);
      required(v, 'criteria', 'Select the criteria', p);
      if (!split(v['scope.destinations']).length) p.push({ path: 'scope.destinations', text: 'Enter at least one destination' });
      for (let i = 0; i < count; i++) {
        const given = split(v[`exceptions[${i}].tags`]).length + split(v[`exceptions[${i}].references`]).length;
        if (given && !v[`exceptions[${i}].reason`]) p.push({ path: `exceptions[${i}].reason`, text: `Enter why exception ${i + 1} applies` });
        if (!given && (v[`exceptions[${i}].reason`] || v[`exceptions[${i}].authority`])) p.push({ path: `exceptions[${i}].tags`, text: `Name the licences exception ${i + 1} covers` });
      }
      return p;
    },
    async send(v) {
      const body = {
        title: v.title, reason: v.reason, criteria: v.criteria, evidence: split(v.evidence),
        scope: { destinations: split(v['scope.destinations']), statuses: v['scope.statuses'], ratings: split(v['scope.ratings']),
          end_user_types: v['scope.end_user_types'] },
        exceptions: [],
      };
      for (let i = 0; i < count; i++) {
        const tags = split(v[`exceptions[${i}].tags`]);
        const references = split(v[`exceptions[${i}].references`]);
        if (tags.length || references.length) {
          body.exceptions.push({ select: { tags, references }, reason: v[`exceptions[${i}].reason`], authority: v[`exceptions[${i}].authority`] });
        }
      }
      const r = await post(LIST, body);
      flash({ success: true, heading: 'The review is created', body: 'Run it to see what it would do to each licence.' });
      location.assign(`/review.html?id=${encodeURIComponent(r.data.id ?? r.data.review ?? '')}`);
    },
  });
}

// ---- one review ----

export function reviewPage() {
  return startPage({
    area: 'reviews', title: 'Review',
    async render(main, { user }) {
      const id = params().get('id');
      if (!(await hasRoute('GET', ONE))) {
        notAvailable(main, { title: 'Review', what: 'Reviewing extant licences', routes: [`GET ${ONE}`] });
        return;
      }
      const available = Object.fromEntries(await Promise.all(['run', 'approve', 'apply', 'report.html'].map(async (a) =>
        [a, await hasRoute(a === 'report.html' ? 'GET' : 'POST', `${ONE}/${a}`)])));
      const view = new ReviewView(main, user, id, available);
      await view.load();
    },
  });
}

class ReviewView {
  constructor(main, user, id, available) {
    Object.assign(this, { main, user, id, available, run: null });
  }

  async load() {
    this.review = (await get(path(this.id))).data;
    this.run = this.review.run || this.review.result || null;
    this.draw();
  }

  async action(name, message) {
    const r = await post(path(this.id, `/${name}`), undefined);
    if (name === 'run') this.run = r.data;
    else this.review = (await get(path(this.id))).data;
    clearPageErrors();
    this.draw();
    showBanner({ success: true, heading: message });
  }

  draw() {
    const r = this.review;
    const scope = r.scope || {};
    const exceptions = r.exceptions || [];
    const controls = [];
    const actionForm = (name, text, message, variant) => onSubmit(h('form', { class: 'app-inline-form' }, button(text, { variant, id: `review-${name}` })),
      { send: () => this.action(name, message) });
    if (this.available.run) controls.push(actionForm('run', 'Run the review (dry run)', 'The dry run is done: nothing has changed yet', 'secondary'));
    if (this.available.approve && this.user.role === 'decision_maker' && r.status !== 'approved' && r.status !== 'applied') {
      controls.push(actionForm('approve', 'Approve the review', 'The review is approved'));
    }
    if (this.available.apply && r.status === 'approved') controls.push(actionForm('apply', 'Apply the review', 'The review is applied: each suspension is recorded with its reason', 'warning'));
    replace(this.main,
      h('a', { href: '/reviews.html', class: 'govuk-back-link' }, 'Back to the reviews'),
      caption(`Review ${r.id}`),
      heading(1, r.title || `Review ${r.id}`),
      h('p', { class: 'govuk-body app-tags' }, 'Status: ', statusTag(r.status)),
      summaryList([
        { key: 'Reason', value: prose(r.reason, 'govuk-body govuk-!-margin-bottom-0') },
        { key: 'Criteria', value: fmt.criteriaList(r.criteria).length ? list(fmt.criteriaList(r.criteria).map(fmt.criterion)) : null },
        { key: 'Evidence', value: (r.evidence || []).join(', ') || null },
        { key: 'Destinations', value: (scope.destinations || []).join(', ') || null },
        { key: 'Licence statuses', value: (scope.statuses || []).map(fmt.licenceStatus).join(', ') || 'Issued, Reinstated' },
        { key: 'Ratings', value: (scope.ratings || []).join(', ') || 'Any' },
        { key: 'End-user types', value: (scope.end_user_types || []).map(fmt.partyType).join(', ') || 'Any' },
        { key: 'Created', value: r.created_at ? `${fmt.dateTime(r.created_at)}${r.created_by ? ` by ${r.created_by}` : ''}` : undefined },
        { key: 'Approved', value: r.approved_at ? `${fmt.dateTime(r.approved_at)}${r.approved_by ? ` by ${r.approved_by}` : ''}` : undefined },
        { key: 'Applied', value: r.applied_at ? fmt.dateTime(r.applied_at) : undefined },
      ]),
      exceptions.length ? [heading(2, 'Exceptions', 'm'), table({ head: ['Licences', 'Reason', 'Authority'],
        rows: exceptions.map((e) => [[...(e.select?.tags || []).map((t) => `tag ${t}`), ...(e.select?.references || [])].join(', '),
          cellText(e.reason), e.authority || '']) })] : null,
      controls.length ? buttonGroup(controls) : null,
      this.available['report.html'] ? para(link(path(this.id, '/report.html'), 'Read the report (HTML, for ministers and Parliament)')) : null,
      this.runView());
    initComponents(this.main);
  }

  runView() {
    const run = this.run;
    if (!run) return para('The review has not been run yet. A dry run changes nothing: it shows what the review would do to each licence, and why.');
    const summary = run.summary || {};
    const licences = run.licences || [];
    const counts = Object.keys(ACTIONS).filter((a) => summary[a] !== undefined);
    return h('section', { id: 'run', 'aria-labelledby': 'run-heading' },
      heading(2, 'What the review would do', 'l', { id: 'run-heading' }),
      table({ caption: 'Licences by recommended action', captionSize: 's', head: ['Action', { text: 'Licences', numeric: true }],
        rows: counts.map((a) => [actionTag(a), fmt.number(summary[a])]) }),
      details('How each action is decided', [
        para('Each licence in scope is re-assessed as if it were a new application, under the policy and evidence in force now.'),
        list([
          'Suspend: the assessment finds a clear risk under a refusal criterion.',
          'Refer: a person must decide; the licence goes to a work queue.',
          'Continue: no criterion is engaged.',
          'Exception: the licence would be suspended, but a recorded exception applies.',
        ], { bullet: true }),
      ]),
      licences.length ? h('div', { class: 'app-table-wrap' }, table({
        caption: `${fmt.number(licences.length)} licence${licences.length === 1 ? '' : 's'}`, captionSize: 's',
        head: ['Licence', 'Action', 'Criteria', 'Reason'],
        rows: licences.map((l) => [link(`/licence.html?ref=${encodeURIComponent(l.reference)}`, l.reference), actionTag(l.action),
          fmt.criteriaList(l.criteria).join(', '), cellText(l.reason)]),
      })) : para('No licence is in scope.'));
  }
}
