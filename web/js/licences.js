// The licence register: search (GET /api/v1/licences) and a licence's page
// (GET /api/v1/licences/{ref}) with its goods lines, status history, and
// suspension, reinstatement and revocation for the roles the licence
// workflow allows (docs/workflow.md). The routes are feature-detected: a
// server without them gets a "not available" page.
import { ApiError, get, hasRoute, post } from './api.js';
import { cellText, h, pathToId, prose, replace } from './dom.js';
import {
  button, caption, checkboxes, dateInput, details, heading, hint, input, link, pagination, para, select, summaryList,
  table, tag, textarea,
} from './govuk.js';
import * as fmt from './format.js';
import { clearPageErrors, errorsOf, onSubmit, required, showErrors } from './forms.js';
import { initComponents, params, showBanner, startPage } from './layout.js';
import { notAvailable } from './unavailable.js';

const LIST = '/api/v1/licences';
const ONE = '/api/v1/licences/{ref}';
const PAGE_SIZE = 50;

/** The API path of a licence: its reference with dashes for slashes, as for applications. */
const licencePath = (ref) => `${LIST}/${encodeURIComponent(fmt.refToPath(ref))}`;

// The licence workflow's changes a person makes here (src/workflow: wf_licence):
// event -> [statuses it starts from, roles allowed, criteria needed].
const CHANGES = {
  suspend: [['issued', 'reinstated'], ['case_officer', 'decision_maker'], true],
  reinstate: [['suspended'], ['decision_maker'], false],
  revoke: [['issued', 'suspended', 'reinstated'], ['decision_maker'], true],
};

const CHANGED = { suspend: 'Suspended', reinstate: 'Reinstated', revoke: 'Revoked', surrender: 'Surrendered',
  exhaust: 'Exhausted', expire: 'Expired' };

/** A licence's lines, whichever name the API gives them. */
const linesOf = (l) => l.lines || l.goods || [];
const historyOf = (l) => l.history || l.status_changes || l.changes || [];

function statusTag(status) {
  return tag(fmt.licenceStatus(status), fmt.licenceStatusColour(status));
}

/** "2024-09-02" from the day, month and year fields, '' when all are empty, null when not a date. */
function dateFrom(values, name) {
  const d = values[`${name}-day`];
  const m = values[`${name}-month`];
  const y = values[`${name}-year`];
  if (!d && !m && !y) return '';
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return null;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== iso ? null : iso;
}

// ---- search ----

export function licencesPage() {
  return startPage({
    area: 'licences', title: 'Licences',
    async render(main) {
      if (!(await hasRoute('GET', LIST))) {
        notAvailable(main, { title: 'Licences', what: 'The licence register', routes: [`GET ${LIST}`, `GET ${ONE}`] });
        return;
      }
      const q = params();
      const page = Math.max(1, Number(q.get('page')) || 1);
      const filters = { destination: q.get('destination') || '', rating: q.get('rating') || '', status: q.get('status') || '',
        from: q.get('from') || '', to: q.get('to') || '' };
      const form = h('form', { method: 'get', action: '/licences.html', id: 'licence-search', role: 'search' },
        h('div', { class: 'govuk-grid-row' },
          h('div', { class: 'govuk-grid-column-one-half' },
            input({ id: 'destination', label: 'Destination', value: filters.destination, hint: 'A country name or code, for example Israel or IL.', spellcheck: false })),
          h('div', { class: 'govuk-grid-column-one-half' },
            input({ id: 'rating', label: 'Control list rating', value: filters.rating, width: 10, spellcheck: false,
              hint: 'This rating or anything beneath it: ML10 finds ML10.a.' }))),
        select({ id: 'status', label: 'Status', value: filters.status,
          options: [['', 'Any status'], ...fmt.LICENCE_STATUSES.map((s) => [s, fmt.licenceStatus(s)])] }),
        h('div', { class: 'govuk-grid-row' },
          h('div', { class: 'govuk-grid-column-one-half' },
            dateInput({ id: 'from', legend: 'Decided on or after', legendSize: 's', hint: 'For example, 2 9 2024', value: filters.from })),
          h('div', { class: 'govuk-grid-column-one-half' },
            dateInput({ id: 'to', legend: 'Decided on or before', legendSize: 's', hint: 'For example, 31 12 2024', value: filters.to }))),
        h('div', { class: 'govuk-button-group' }, button('Search licences'), link('/licences.html', 'Clear filters')));
      onSubmit(form, {
        check(v) {
          const p = [];
          for (const [name, label] of [['from', 'The “decided on or after” date'], ['to', 'The “decided on or before” date']]) {
            if (dateFrom(v, name) === null) p.push({ path: `${name}-day`, text: `${label} must be a real date, like 2 9 2024` });
          }
          return p;
        },
        async send(v) {
          const next = new URLSearchParams();
          for (const k of ['destination', 'rating', 'status']) if (v[k]) next.set(k, v[k]);
          for (const k of ['from', 'to']) { const d = dateFrom(v, k); if (d) next.set(k, d); }
          location.assign(`/licences.html${next.toString() ? `?${next}` : ''}`);
        },
      });
      const results = h('div', { id: 'results' });
      replace(main,
        heading(1, 'Licences'),
        para('Search the register of licences: those issued through this service and the published register imported into it.'),
        form, results);
      let data;
      try {
        const r = await get(LIST, { query: { ...filters, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } });
        data = Array.isArray(r.data) ? { total: r.data.length, licences: r.data } : r.data;
      } catch (e) {
        if (!(e instanceof ApiError) || e.status >= 500) throw e;
        showErrors(form, errorsOf(e));
        return;
      }
      const licences = data.licences || [];
      const total = data.total ?? licences.length;
      const hrefFor = (p) => { const n = new URLSearchParams(location.search); n.set('page', p); return `/licences.html?${n}`; };
      replace(results,
        heading(2, `${fmt.number(total)} licence${total === 1 ? '' : 's'} found`, 'm', { id: 'results-heading', tabindex: '-1' }),
        licences.length ? h('div', { class: 'app-table-wrap' }, table({
          head: ['Reference', 'Destination', 'End user', 'Ratings', 'Decided', 'Status', { text: 'Value', numeric: true }],
          rows: licences.map((l) => [link(fmt.licenceHref(l.reference), l.reference),
            l.destination_name || l.destination, l.end_user || '', ratingsOf(l), fmt.date(l.issued_on), statusTag(l.status),
            fmt.money(l.value_gbp)]),
        })) : para('No licence matches. Try fewer filters.'),
        pagination({ page, pages: Math.ceil(total / PAGE_SIZE), hrefFor }));
    },
  });
}

function ratingsOf(l) {
  if (Array.isArray(l.ratings)) return l.ratings.join(', ');
  if (l.ratings) return l.ratings;
  return [...new Set(linesOf(l).map((x) => x.rating))].join(', ');
}

// ---- one licence ----

export function licencePage() {
  return startPage({
    area: 'licences', title: 'Licence',
    async render(main, { user }) {
      const ref = params().get('ref');
      if (!(await hasRoute('GET', ONE))) {
        notAvailable(main, { title: ref || 'Licence', what: 'The licence register', routes: [`GET ${ONE}`] });
        return;
      }
      const view = new LicenceView(main, user, ref);
      await view.load();
    },
  });
}

class LicenceView {
  constructor(main, user, ref) {
    this.main = main;
    this.user = user;
    this.ref = ref;
  }

  async load() {
    const r = await get(licencePath(this.ref));
    this.accept(r);
    this.changesAvailable = Object.fromEntries(await Promise.all(Object.keys(CHANGES).map(async (e) =>
      [e, await hasRoute('POST', `${ONE}/${e}`)])));
    this.draw();
  }

  accept(r) {
    this.data = r.data;
    this.etag = r.etag;
    document.title = document.title.replace(/^(Error: )?[^–]+–/, `$1${this.data.reference} –`);
  }

  /** The changes this user may make now: the server's allowed_events when it sends them, else the workflow table. */
  allowed() {
    const l = this.data;
    if (Array.isArray(l.allowed_events)) return l.allowed_events.filter((e) => e in CHANGES);
    return Object.entries(CHANGES).filter(([, [from, roles]]) => from.includes(l.status) && roles.includes(this.user.role)).map(([e]) => e);
  }

  draw() {
    const l = this.data;
    const criteria = fmt.criteriaList(l.criteria);
    const tags = Array.isArray(l.tags) ? l.tags : String(l.tags || '').split(';').filter(Boolean);
    const history = historyOf(l);
    const lines = linesOf(l);
    replace(this.main,
      h('a', { href: '/licences.html', class: 'govuk-back-link' }, 'Back to the licences'),
      caption(fmt.licenceType(l.type)),
      heading(1, l.reference),
      h('p', { class: 'govuk-body app-tags', id: 'licence-status' }, h('span', null, 'Status: '), statusTag(l.status)),
      summaryList([
        { key: 'Destination', value: `${l.destination_name || ''} (${l.destination})` },
        { key: 'End user', value: l.end_user ? `${l.end_user}${l.end_user_type ? ` (${fmt.partyType(l.end_user_type)})` : ''}` : null },
        { key: 'End use', value: l.end_use ? prose(l.end_use, 'govuk-body govuk-!-margin-bottom-0') : null },
        { key: 'Decided', value: fmt.date(l.issued_on) },
        { key: 'Expires', value: l.expires_on ? fmt.date(l.expires_on) : undefined },
        { key: 'Outcome', value: l.outcome ? fmt.outcome(l.outcome) : undefined },
        { key: 'Refusal criteria', value: criteria.length ? h('ul', { class: 'govuk-list' }, criteria.map((c) => h('li', null, fmt.criterion(c)))) : undefined },
        { key: 'Tags', value: tags.length ? h('span', { class: 'app-tags' }, tags.map((t) => tag(t, 'grey'))) : undefined },
        { key: 'Value', value: l.value_gbp !== undefined ? fmt.money(l.value_gbp) : undefined },
        { key: 'Application', value: l.application ? link(fmt.applicationHref(l.application), l.application) : undefined },
      ]),
      heading(2, 'Goods', 'l'),
      lines.length ? h('div', { class: 'app-table-wrap' }, table({
        head: ['Line', 'Rating', 'Goods', { text: 'Quantity', numeric: true }, { text: 'Value', numeric: true }],
        rows: lines.map((x, i) => [String(x.line ?? x.line_no ?? i + 1),
          [x.rating, x.known_rating === false ? h('span', { class: 'app-cell-note' }, 'Not in the control list') : null],
          x.goods_summary || x.description || '', fmt.number(x.quantity), fmt.money(x.value_gbp)]),
      })) : para('No goods lines are recorded.'),
      heading(2, 'Status history', 'l'),
      history.length ? h('div', { class: 'app-table-wrap' }, table({
        head: ['Change', 'From', 'To', 'Reason', 'Criteria', 'By', 'When'],
        rows: history.map((c) => [CHANGED[c.event] ?? fmt.event(c.event), fmt.licenceStatus(c.from_status ?? c.from), fmt.licenceStatus(c.to_status ?? c.to),
          cellText(c.reason), fmt.criteriaList(c.criteria).join(', '),
          c.actor ?? c.by ?? '', fmt.dateTime(c.changed_at ?? c.at)]),
      })) : para('The status has not changed since the decision.'),
      this.actions());
    initComponents(this.main);
  }

  actions() {
    const events = this.allowed().filter((e) => this.changesAvailable[e]);
    if (!events.length) return null;
    return [heading(2, 'Change the status', 'l'), events.map((e) => this.changeForm(e))];
  }

  changeForm(event) {
    const prefix = `${event}-`;
    const f = (path) => ({ id: pathToId(path, prefix), name: path });
    const needsCriteria = CHANGES[event][2];
    const form = h('form', { class: 'app-action-form', id: `${event}-form` },
      textarea({ ...f('reason'), label: 'Reason', rows: 4, hint: event === 'reinstate' ? 'Why the suspension is lifted.'
        : 'The licence holder is told this reason. Name the review or decision it follows.' }),
      needsCriteria ? checkboxes({ ...f('criteria'), legend: 'Criteria', legendSize: 's', small: true,
        items: fmt.CRITERIA.map(([id, title]) => ({ value: id, text: `${id}: ${title}` })) }) : null,
      button(fmt.event(event), { variant: event === 'reinstate' ? undefined : 'warning' }));
    onSubmit(form, {
      prefix,
      check: (v) => {
        const p = [];
        required(v, 'reason', 'Enter the reason', p);
        if (needsCriteria) required(v, 'criteria', 'Select the criteria', p);
        return p;
      },
      send: async (v) => {
        const body = { reason: v.reason };
        if (needsCriteria) body.criteria = v.criteria;
        await post(`${licencePath(this.data.reference)}/${event}`, body, { ifMatch: this.etag || undefined });
        this.accept(await get(licencePath(this.ref)));
        clearPageErrors();
        this.draw();
        showBanner({ success: true, heading: `The licence is ${fmt.licenceStatus(this.data.status).toLowerCase()}` });
      },
    });
    return details(fmt.event(event), form);
  }
}
