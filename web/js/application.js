// The application page (GET /api/v1/applications/{ref}). Staff see the
// whole case: parties and their screening, hits with explanations and the
// disposition form, goods and rating confirmation, the assessment's findings
// and evidence, advice revisions and countersignatures, requests for
// information, notes, decisions, and the workflow events their role may fire
// now (allowed_events). Exporters get the view the server builds for them:
// status, requests for information to answer, outcome, refusal criteria and
// appeal. Every write sends If-Match with the ETag read, and the page is
// redrawn from the reply.
import { get, post, hasRoute } from './api.js';
import { cellText, h, pathToId, prose, replace } from './dom.js';
import {
  button, buttonGroup, caption, checkbox, checkboxes, details, heading, hint, inset, link, linkButton, list, para,
  radios, summaryCard, summaryList, table, tag, taskList, textarea, input, warning,
} from './govuk.js';
import * as fmt from './format.js';
import { clearPageErrors, onSubmit, required } from './forms.js';
import { initComponents, params, showBanner, startPage } from './layout.js';

export function applicationPage() {
  return startPage({
    area: 'home', title: 'Application',
    async render(main, { user }) {
      const ref = params().get('ref');
      if (!ref) {
        replace(main, heading(1, 'No application given'), para(link('/', 'Go to your home page')));
        return;
      }
      const page = new CasePage(main, user, ref);
      await page.load();
    },
  });
}

const DECISIONS = ['issue', 'refuse', 'no_licence_required'];
const APPEAL_DECISIONS = ['allow_appeal', 'dismiss_appeal'];
const ORDER = { draft: 0, submitted: 1, initial_checks: 2, technical_assessment: 3, under_advice: 4, final_review: 5, finalised: 6, under_appeal: 6 };
const CLOSED = new Set(['finalised', 'withdrawn', 'under_appeal']);

/** The field settings for a form whose ids carry a prefix: {id, name}. */
const fieldOf = (prefix) => (path) => ({ id: pathToId(path, prefix), name: path });

class CasePage {
  constructor(main, user, ref) {
    this.main = main;
    this.user = user;
    this.ref = fmt.refToPath(ref);
    this.data = null;
    this.etag = null;
    this.concernsAvailable = false;
  }

  get path() { return `/api/v1/applications/${encodeURIComponent(this.ref)}`; }
  get staff() { return this.user.staff; }
  can(role) { return this.user.role === role; }

  async load() {
    const [r, concerns] = await Promise.all([get(this.path), hasRoute('GET', '/api/v1/concerns')]);
    this.concernsAvailable = concerns;
    this.accept(r);
    this.draw();
  }

  accept(r) {
    this.data = r.data;
    this.etag = r.etag;
    document.title = document.title.replace(/^(Error: )?[^–]+–/, `$1${this.data.reference} –`);
  }

  /** Sends a write, then redraws from the reply with a success banner. */
  async act(request, message) {
    const r = await request();
    this.accept(r);
    clearPageErrors();
    this.draw();
    const m = typeof message === 'function' ? message(this.data) : message;
    showBanner({ success: true, ...(typeof m === 'string' ? { heading: m } : m) });
  }

  write(suffix, body) {
    return () => post(`${this.path}${suffix}`, body, { ifMatch: this.etag });
  }

  draw() {
    const d = this.data;
    const content = this.staff ? this.staffView(d) : this.exporterView(d);
    replace(this.main, content);
    initComponents(this.main);
  }

  // ---- the top of the page ----

  header(d) {
    const status = d.status === 'finalised' && d.outcome ? tag(fmt.outcome(d.outcome), fmt.outcomeColour(d.outcome))
      : tag(fmt.caseStatus(d.status), fmt.caseStatusColour(d.status));
    return [
      h('a', { href: '/', class: 'govuk-back-link' }, this.staff ? 'Back to the work queue' : 'Back to your applications'),
      caption(`${fmt.licenceType(d.type)}${d.temporary ? ', temporary export' : ''}`),
      heading(1, d.reference),
      h('p', { class: 'govuk-body app-tags', id: 'case-status' }, h('span', null, 'Status: '), status),
      para(`${d.exporter} to ${d.destination?.name ?? ''} (${d.destination?.code ?? ''})`),
    ];
  }

  progress(d) {
    const idx = ORDER[d.status] ?? 0;
    const withdrawn = d.status === 'withdrawn';
    const step = (title, target, { done, active, hintText, statusText }) => {
      const href = this.staff ? target : undefined;
      if (done) return { title, href, hint: hintText, status: statusText || 'Completed' };
      if (withdrawn) return { title, href, hint: hintText, status: 'Not needed: withdrawn', cannotStart: true };
      if (active) return { title, href, hint: hintText, status: statusText || 'In progress', colour: 'blue' };
      return { title, href, hint: hintText, status: 'Not yet started', cannotStart: true };
    };
    const items = [];
    items.push(step('Application submitted', '#details', { done: idx >= 1, active: idx === 0,
      hintText: d.submitted_at ? `Submitted ${fmt.date(d.submitted_at)}` : `${this.staff ? 'The exporter has' : 'You have'} not submitted it yet`,
      statusText: idx === 0 ? 'Draft' : undefined }));
    const openHits = (d.screening || []).filter((x) => !x.disposition).length;
    items.push(step('Initial checks and screening', this.staff ? '#screening' : undefined, {
      done: idx >= 3 || (idx >= 2 && this.staff && openHits === 0 && idx > 2), active: idx === 1 || idx === 2,
      hintText: this.staff ? (openHits ? `${openHits} screening hit${openHits === 1 ? '' : 's'} to dispose of` : 'No screening hit waiting') : undefined,
      statusText: idx === 1 ? 'Waiting for a case officer' : undefined }));
    const goods = d.goods || [];
    const rated = goods.filter((g) => g.assessed_rating).length;
    items.push(step('Technical assessment', '#goods', { done: idx >= 4 || (this.staff && goods.length > 0 && rated === goods.length && idx >= 3),
      active: idx === 3, hintText: this.staff ? `${rated} of ${goods.length} goods line${goods.length === 1 ? '' : 's'} rated` : undefined }));
    const current = (d.advice || []).filter((a) => a.current);
    items.push(step('Advice', this.staff ? '#advice' : undefined, { done: idx >= 5, active: idx === 4,
      hintText: this.staff ? (current.length ? `Advice from ${current.map((a) => a.team.toUpperCase()).join(', ')}` : 'No advice yet') : undefined }));
    if (this.staff) {
      const signed = current.filter((a) => a.countersignatures.some((s) => s.accepted)).length;
      items.push(step('Countersigning', '#advice', { done: idx >= 6 || (current.length > 0 && signed === current.length && idx >= 5),
        active: idx === 4 || idx === 5,
        hintText: current.length ? `${signed} of ${current.length} current advice revision${current.length === 1 ? '' : 's'} countersigned` : 'No advice to countersign yet' }));
    }
    items.push(step('Decision', '#decision', { done: d.status === 'finalised', active: idx === 5 || d.status === 'under_appeal',
      hintText: d.outcome ? `${fmt.outcome(d.outcome)} ${fmt.date(d.decided_at)}` : undefined,
      statusText: d.status === 'finalised' ? fmt.outcome(d.outcome) : d.status === 'under_appeal' ? 'Under appeal' : undefined }));
    return section('progress', 'Progress', taskList(items, { id: 'progress-list' }));
  }

  details(d) {
    const rows = [
      { key: 'Reference', value: d.reference },
      { key: 'Licence type', value: fmt.licenceType(d.type) },
      { key: 'Temporary export', value: d.temporary ? 'Yes' : 'No' },
      { key: 'Exporter', value: d.exporter },
      { key: 'Organisation', value: this.staff ? d.organisation : undefined },
      { key: 'Destination', value: `${d.destination?.name} (${d.destination?.code})` },
      { key: 'End use', value: prose(d.end_use, 'govuk-body govuk-!-margin-bottom-0') },
      { key: 'Started', value: `${fmt.dateTime(d.created_at)}${this.staff && d.created_by ? ` by ${d.created_by}` : ''}` },
      { key: 'Submitted', value: d.submitted_at ? fmt.dateTime(d.submitted_at) : null, empty: 'Not yet' },
      { key: 'Service level due', value: this.staff ? (d.sla?.due ? `${fmt.date(d.sla.due)}${d.sla.paused_working_days ? ` (${d.sla.paused_working_days} working days added while requests for information were open)` : ''}` : null) : undefined, empty: 'Starts when submitted' },
      { key: 'Outcome', value: d.outcome ? `${fmt.outcome(d.outcome)}, ${fmt.date(d.decided_at)}` : null, empty: 'Not decided' },
      { key: 'Licence', value: d.licence ? link(fmt.licenceHref(d.licence), d.licence) : undefined },
    ];
    if (!this.staff && d.status === 'draft') {
      rows.forEach((r) => { if (['Licence type', 'Temporary export', 'Exporter', 'Destination', 'End use'].includes(r.key)) r.actions = [{ href: `/apply.html?ref=${encodeURIComponent(this.ref)}`, text: 'Change', hiddenText: r.key.toLowerCase() }]; });
    }
    return section('details', 'Application details', summaryList(rows));
  }

  parties(d) {
    const head = ['Role', 'Name', 'Country', 'Type', 'Address'];
    if (this.staff) head.push('Screening');
    return section('parties', 'Parties', (d.parties || []).length ? h('div', { class: 'app-table-wrap' }, table({
      caption: 'Parties to the export', captionSize: 's', head,
      rows: d.parties.map((p) => {
        const row = [fmt.partyRole(p.role), p.name, p.country, fmt.partyType(p.type), p.address || h('span', { class: 'app-none' }, 'Not given')];
        if (this.staff) row.push(tag(fmt.screening(p.screening), fmt.screeningColour(p.screening)));
        return row;
      }),
    })) : para('No parties are named yet.'),
    !this.staff && d.status === 'draft' ? para(link(`/apply.html?ref=${encodeURIComponent(this.ref)}`, 'Change the parties')) : null);
  }

  goods(d) {
    const goods = d.goods || [];
    const head = ['Line', 'Description', this.staff ? 'Rating given' : 'Control list rating'];
    if (this.staff) head.push('Confirmed rating', 'Report summary');
    head.push({ text: 'Quantity', numeric: true }, { text: 'Value', numeric: true });
    const rows = goods.map((g) => {
      const row = [String(g.line), g.description, g.rating];
      if (this.staff) {
        row.push(g.assessed_rating ? [g.assessed_rating, g.assessed_by ? h('span', { class: 'app-cell-note' }, `by ${g.assessed_by}`) : null]
          : tag('Not confirmed', 'grey'), g.report_summary || h('span', { class: 'app-none' }, 'None'));
      }
      row.push(fmt.number(g.quantity), fmt.money(g.value_gbp));
      return row;
    });
    const canRate = this.can('technical_assessor') && ['initial_checks', 'technical_assessment'].includes(d.status);
    return section('goods', 'Goods', goods.length ? h('div', { class: 'app-table-wrap' }, table({ caption: 'Goods lines', captionSize: 's', head, rows })) : para('No goods lines yet.'),
      canRate ? goods.map((g) => this.ratingForm(g)) : null,
      !this.staff && d.status === 'draft' ? para(link(`/apply.html?ref=${encodeURIComponent(this.ref)}`, 'Change the goods')) : null);
  }

  ratingForm(g) {
    const prefix = `rating-${g.line}-`;
    const f = fieldOf(prefix);
    const form = h('form', { class: 'app-action-form', id: `rate-line-${g.line}` },
      g.assessed_rating ? null : heading(3, `Confirm the rating of line ${g.line}`, 's'),
      hint(g.description),
      input({ ...f('rating'), label: ['Control list rating', h('span', { class: 'govuk-visually-hidden' }, ` of line ${g.line}`)], width: 10,
        value: g.assessed_rating || g.rating, spellcheck: false, hint: 'As in the control list, for example ML10.a or 5A002.a.1.' }),
      input({ ...f('report_summary'), label: ['Report summary', h('span', { class: 'govuk-visually-hidden' }, ` of line ${g.line}`)],
        value: g.report_summary || '', hint: 'How the goods are described in official statistics, for example “components for military combat aircraft”.' }),
      button(`Confirm rating of line ${g.line}`, { variant: 'secondary' }));
    onSubmit(form, {
      prefix,
      check: (v) => { const p = []; required(v, 'rating', `Enter the control list rating of line ${g.line}`, p); return p; },
      send: (v) => this.act(this.write(`/goods/${g.line}/rating`, { rating: v.rating, report_summary: v.report_summary || undefined }),
        (d) => `Line ${g.line} is rated ${d.goods.find((x) => x.line === g.line)?.assessed_rating ?? v.rating}`),
    });
    return g.assessed_rating ? details(`Change the confirmed rating of line ${g.line}`, form) : form;
  }

  // ---- screening ----

  screening(d) {
    const hits = d.screening || [];
    const partyName = (no) => (no === 0 ? `${d.exporter} (the exporter)` : d.parties.find((p) => p.party === no)?.name ?? `Party ${no}`);
    const canDispose = this.can('case_officer') && !CLOSED.has(d.status);
    // What the parties were screened against: a clear result is clear against these list versions.
    const run = d.screened_against;
    const against = run ? h('p', { class: 'govuk-body-s app-meta', id: 'screened-against' },
      `Screened on ${fmt.dateTime(run.screened_at)} against ${
        run.lists.map((l) => `${l.list} version ${l.version}`).join(', ') || 'no list'}: ${run.parties} part${
        run.parties === 1 ? 'y' : 'ies'}, ${run.alerts} alert${run.alerts === 1 ? '' : 's'}.`) : null;
    return section('screening', 'Screening', against, hits.length ? hits.map((x) => summaryCard({
      id: `hit-${x.id}`,
      title: `Hit ${x.id}: ${partyName(x.party)}`,
      content: [
        summaryList([
          { key: 'Party', value: partyName(x.party) },
          { key: 'Listed as', value: x.listed_name },
          { key: 'Name that matched', value: x.matched_name },
          { key: 'List', value: `${listVersion(x.list, x.list_version)}, entry ${x.entity_id}` },
          { key: 'Score', value: `${Math.round(Number(x.score) * 100)}%` },
          { key: 'Disposition', value: x.disposition ? h('div', null,
            tag(x.disposition === 'true_match' ? 'True match' : 'False positive', x.disposition === 'true_match' ? 'red' : 'turquoise'),
            prose(x.reason, 'govuk-body govuk-!-margin-top-2 govuk-!-margin-bottom-1'),
            h('p', { class: 'govuk-body-s app-meta govuk-!-margin-bottom-0' }, `By ${x.disposed_by}, ${fmt.dateTime(x.disposed_at)}`)) : tag('Not disposed of', 'orange') },
        ]),
        details('Why this name matched', explanation(x.explanation)),
        !x.disposition && canDispose ? this.dispositionForm(x, partyName(x.party)) : null,
      ],
    })) : para(d.submitted_at ? 'No party matched a sanctions or denied-party list entry.' : 'Parties are screened when the application is submitted.'));
  }

  dispositionForm(x, party) {
    const prefix = `hit-${x.id}-`;
    const f = fieldOf(prefix);
    const form = h('form', { class: 'app-action-form' },
      radios({ ...f('disposition'), legend: `Is ${party} the listed party?`, legendSize: 's', items: [
        { value: 'true_match', text: 'Yes, a true match', hint: 'Criterion 1 is engaged.' },
        { value: 'false_positive', text: 'No, a false positive' }] }),
      textarea({ ...f('reason'), label: 'Reason', rows: 3, hint: 'What shows it is, or is not, the listed party: dates of birth, addresses, registration numbers.' }),
      button(`Record disposition of hit ${x.id}`, { variant: 'secondary' }));
    return onSubmit(form, {
      prefix,
      check: (v) => {
        const p = [];
        required(v, 'disposition', 'Select whether the party is the listed party', p);
        required(v, 'reason', 'Enter the reason for the disposition', p);
        return p;
      },
      send: (v) => this.act(this.write(`/screening/${x.id}/disposition`, { disposition: v.disposition, reason: v.reason }),
        `Hit ${x.id} is recorded as a ${v.disposition === 'true_match' ? 'true match' : 'false positive'}`),
    });
  }

  // ---- the assessment ----

  assessment(d) {
    const a = d.assessment;
    if (!a) return section('assessment', 'Assessment against the criteria', para('The application is assessed when it is submitted.'));
    const r = a.result || {};
    const evidence = r.evidence_snapshot?.entries || [];
    const TRIGGERS = { submit: 'on submission', rating: 'after the goods were rated', disposition: 'after a screening disposition' };
    return section('assessment', 'Assessment against the criteria',
      summaryList([
        { key: 'Recommendation', value: tag(fmt.finding(a.recommendation), fmt.findingColour(a.recommendation)) },
        { key: 'Assessed', value: `${fmt.dateTime(a.created_at)}, ${TRIGGERS[a.trigger] ?? a.trigger}` },
        { key: 'Policy', value: r.policy ? `${r.policy.id}, version ${r.policy.version}` : null },
        { key: 'Policy SHA-256', value: r.policy?.sha256 ? h('span', { class: 'app-hash' }, r.policy.sha256) : undefined },
        { key: 'Evidence on record', value: `${evidence.length} entr${evidence.length === 1 ? 'y' : 'ies'}` },
      ]),
      details('How to read the assessment', [
        para('Each criterion of the Strategic Export Licensing Criteria is tested by the policy in force. “Refuse” means a refusal criterion is engaged: a clear risk is a threshold, and commercial benefits are not weighed against it. “Refer” means a person must judge; “caution” asks for special care.'),
        para('Each finding names the evidence it rests on; the policy version and the evidence snapshot let the same assessment be replayed later.'),
      ]),
      findingsTables(r.findings || []),
      evidence.length ? h('div', { class: 'app-table-wrap' }, table({
        caption: 'Evidence the assessment could see', captionSize: 's',
        head: ['Entry', 'Topic', 'Severity', 'Reliability', 'Classification', 'Source', 'Date'],
        rows: evidence.map((e) => [{ header: true, content: h('span', { id: `evidence-${e.id}` }, e.id) }, e.topic, e.severity, e.reliability,
          e.classification, e.source, fmt.date(e.source_date)]),
      })) : null);
  }

  // ---- advice ----

  advice(d) {
    const all = d.advice || [];
    const teams = [...new Set(all.map((a) => a.team))];
    const canCountersign = this.can('countersigner') && ['under_advice', 'final_review'].includes(d.status);
    const authored = all.some((a) => a.author === this.user.name);
    const cards = teams.map((teamName) => {
      const revisions = all.filter((a) => a.team === teamName).sort((x, y) => y.revision - x.revision);
      const cur = revisions.find((a) => a.current) || revisions[0];
      const older = revisions.filter((a) => a !== cur);
      const accepted = cur.countersignatures.some((s) => s.accepted);
      return summaryCard({
        id: `advice-${teamName}`,
        title: fmt.team(teamName),
        content: [
          adviceRows(cur),
          older.length ? details(`Earlier revisions (${older.length})`, older.map((a) => [
            heading(4, `Revision ${a.revision}`, 's'), adviceRows(a)])) : null,
          canCountersign && !accepted ? (authored
            ? inset(`You gave advice on this application, so you cannot countersign it. Another countersigner must.`)
            : this.countersignForm(cur)) : null,
        ],
      });
    });
    const myTeam = this.user.team;
    const canAdvise = this.can('adviser') && d.status === 'under_advice' && myTeam;
    return section('advice', 'Advice',
      cards.length ? cards : para(ORDER[d.status] >= 4 ? 'No team has advised yet.' : 'Advice is asked for after the technical assessment.'),
      canAdvise ? this.adviceSlot(all.filter((a) => a.team === myTeam && a.current)[0]) : null);
  }

  /** The advice form: open for a first advice, folded away once the team has advised. */
  adviceSlot(previous) {
    const form = this.adviceForm(previous);
    return previous ? details(`Revise the ${this.user.team.toUpperCase()} advice`, form, { id: 'advice-revise' }) : form;
  }

  adviceForm(previous) {
    const prefix = 'advice-form-';
    const f = fieldOf(prefix);
    const criteriaBox = checkboxes({ ...f('criteria'), legend: 'Criteria the refusal rests on', legendSize: 's', small: true,
      items: fmt.CRITERIA.map(([id, title]) => ({ value: id, text: `${id}: ${title}` })) });
    const form = h('form', { class: 'app-action-form', id: 'advice-form' },
      previous ? null : heading(3, `Give the ${this.user.team.toUpperCase()} advice`, 'm'),
      previous ? para(`Your team advised “${fmt.advice(previous.advice)}” (revision ${previous.revision}). A new revision replaces it; the earlier one stays on the record.`) : null,
      radios({ ...f('advice'), legend: 'Your advice', legendSize: 's', items: [
        { value: 'approve', text: 'Approve' },
        { value: 'approve_with_provisos', text: 'Approve with provisos',
          conditional: textarea({ ...f('provisos'), label: 'Provisos', rows: 3, hint: 'The conditions the licence must carry.' }) },
        { value: 'refuse', text: 'Refuse', hint: 'Cite the criteria.', conditional: criteriaBox },
        { value: 'no_licence_required', text: 'No licence required' },
        { value: 'conflicting', text: 'Conflicting', hint: 'Your team’s view differs from another’s and needs resolving.' }] }),
      textarea({ ...f('text'), label: 'Advice', rows: 6, hint: 'Your assessment against the criteria, citing the evidence it rests on.' }),
      previous ? textarea({ ...f('change_reason'), label: 'Why this revision replaces the last', rows: 3 }) : null,
      button(previous ? 'Record the new revision' : 'Give advice'));
    return onSubmit(form, {
      prefix,
      check: (v) => {
        const p = [];
        required(v, 'advice', 'Select your advice', p);
        if (v.advice === 'approve_with_provisos') required(v, 'provisos', 'Enter the provisos', p);
        if (v.advice === 'refuse') required(v, 'criteria', 'Select the criteria the refusal rests on', p);
        required(v, 'text', 'Enter your advice', p);
        if (previous) required(v, 'change_reason', 'Enter why this revision replaces the last', p);
        return p;
      },
      send: (v) => {
        const body = { advice: v.advice, text: v.text };
        if (v.advice === 'approve_with_provisos') body.provisos = v.provisos;
        if (v.advice === 'refuse') body.criteria = v.criteria;
        if (previous) body.change_reason = v.change_reason;
        return this.act(this.write('/advice', body), previous ? 'Your team’s advice is revised' : 'Your team’s advice is recorded');
      },
    });
  }

  countersignForm(a) {
    const prefix = `countersign-${a.id}-`;
    const f = fieldOf(prefix);
    const form = h('form', { class: 'app-action-form' },
      radios({ ...f('accepted'), legend: `Countersign the ${a.team.toUpperCase()} advice (revision ${a.revision})`, legendSize: 's', items: [
        { value: 'yes', text: 'Accept the advice' }, { value: 'no', text: 'Reject the advice', hint: 'The team must revise it before a decision.' }] }),
      textarea({ ...f('reasons'), label: 'Reasons', rows: 3 }),
      button(`Countersign ${a.team.toUpperCase()} advice`, { variant: 'secondary' }));
    return onSubmit(form, {
      prefix,
      check: (v) => {
        const p = [];
        required(v, 'accepted', 'Select whether you accept the advice', p);
        required(v, 'reasons', 'Enter your reasons', p);
        return p;
      },
      send: (v) => this.act(this.write('/countersign', { advice: a.id, accepted: v.accepted === 'yes', reasons: v.reasons }),
        `You ${v.accepted === 'yes' ? 'accepted' : 'rejected'} the ${a.team.toUpperCase()} advice`),
    });
  }

  // ---- requests for information and notes ----

  rfis(d) {
    const rfis = d.rfis || [];
    const canRaise = (this.can('case_officer') || this.can('technical_assessor')) && !['draft', 'finalised', 'withdrawn'].includes(d.status);
    return section('rfis', 'Requests for information',
      rfis.length ? rfis.map((r) => summaryCard({
        id: `rfi-${r.id}`,
        title: `Request ${r.id}${r.response ? '' : ' (open)'}`,
        content: [
          summaryList([
            { key: 'Question', value: prose(r.question, 'govuk-body govuk-!-margin-bottom-0') },
            { key: 'Asked', value: `${fmt.dateTime(r.raised_at)}${r.raised_by ? ` by ${r.raised_by}` : ''}` },
            { key: 'Answer', value: r.response ? prose(r.response, 'govuk-body govuk-!-margin-bottom-0') : tag('Not answered yet', 'orange') },
            { key: 'Answered', value: r.responded_at ? fmt.dateTime(r.responded_at) : undefined },
          ]),
          !r.response && !this.staff ? this.answerForm(r) : null,
        ],
      })) : para('No request for information has been made.'),
      canRaise ? this.rfiForm() : null);
  }

  answerForm(r) {
    const prefix = `rfi-${r.id}-`;
    const f = fieldOf(prefix);
    const form = h('form', { class: 'app-action-form' },
      textarea({ ...f('response'), label: `Your answer to request ${r.id}`, rows: 5 }),
      button('Send answer'));
    return onSubmit(form, {
      prefix,
      check: (v) => { const p = []; required(v, 'response', 'Enter your answer', p); return p; },
      send: (v) => this.act(this.write(`/rfi/${r.id}/response`, { response: v.response }), 'Your answer is sent to the licensing unit'),
    });
  }

  rfiForm() {
    const f = fieldOf('rfi-new-');
    const form = h('form', { class: 'app-action-form', id: 'rfi-form' },
      textarea({ ...f('question'), label: 'Ask the exporter for information', labelSize: 's', rows: 4,
        hint: 'The service-level clock stops until the exporter answers.' }),
      button('Send request', { variant: 'secondary' }));
    return onSubmit(form, {
      prefix: 'rfi-new-',
      check: (v) => { const p = []; required(v, 'question', 'Enter the question for the exporter', p); return p; },
      send: (v) => this.act(this.write('/rfi', { question: v.question }), 'The request for information is sent to the exporter'),
    });
  }

  notes(d) {
    const notes = d.notes || [];
    const f = fieldOf('note-');
    const form = h('form', { class: 'app-action-form', id: 'note-form' },
      textarea({ ...f('text'), label: 'Add a note', labelSize: 's', rows: 3,
        hint: this.staff ? 'Notes are internal unless you make them visible to the exporter.' : 'The licensing unit sees your note.' }),
      this.staff ? checkbox({ ...f('exporter_visible'), label: 'Visible to the exporter' }) : null,
      button('Add note', { variant: 'secondary' }));
    onSubmit(form, {
      prefix: 'note-',
      check: (v) => { const p = []; required(v, 'text', 'Enter the note', p); return p; },
      send: (v) => {
        const body = { text: v.text };
        if (this.staff) body.exporter_visible = (v.exporter_visible || []).includes('yes');
        return this.act(this.write('/notes', body), 'Your note is added');
      },
    });
    return section('notes', 'Notes',
      notes.length ? h('ul', { class: 'govuk-list govuk-list--spaced' }, notes.map((n) => h('li', null,
        prose(n.text, 'govuk-body govuk-!-margin-bottom-1'),
        h('p', { class: 'govuk-body-s app-meta app-tags' }, `${n.author ? `${n.author}, ` : ''}${fmt.dateTime(n.created_at)}`,
          this.staff ? (n.exporter_visible ? tag('Visible to the exporter', 'turquoise') : tag('Internal', 'grey')) : null)))) : para('No notes yet.'),
      form);
  }

  // ---- decisions ----

  decision(d) {
    const decisions = d.decisions || [];
    const allowed = d.allowed_events || [];
    const canDecide = DECISIONS.some((e) => allowed.includes(e));
    const canDecideAppeal = APPEAL_DECISIONS.some((e) => allowed.includes(e));
    return section('decision', 'Decision',
      decisions.length ? h('div', { class: 'app-table-wrap' }, table({
        caption: 'Decisions', captionSize: 's',
        head: ['Decision', 'Criteria', 'Reason', 'By', 'When'],
        rows: decisions.map((x) => [DECIDED[x.event] ?? fmt.event(x.event), fmt.criteriaList(x.criteria).join(', ') || h('span', { class: 'app-none' }, 'None'),
          cellText(x.reason), x.decided_by, fmt.dateTime(x.decided_at)]),
      })) : para(d.status === 'withdrawn' ? 'The application was withdrawn.' : 'No decision yet.'),
      (d.appeals || []).length ? [heading(3, 'Appeals', 's'), list(d.appeals.map((a) => [prose(a.grounds, 'govuk-body govuk-!-margin-bottom-1'),
        h('span', { class: 'govuk-body-s app-meta' }, `Lodged by ${a.lodged_by}, ${fmt.dateTime(a.lodged_at)}`)]), { spaced: true })] : null,
      canDecide ? this.decisionForm(d, allowed) : null,
      canDecideAppeal ? this.appealDecisionForm(allowed) : null);
  }

  /** What would stop a decision now, as the server checks it. */
  blockers(d) {
    const out = [];
    const hits = (d.screening || []).filter((x) => !x.disposition).length;
    if (hits) out.push(`${hits} screening hit${hits === 1 ? ' is' : 's are'} not disposed of`);
    const rfis = (d.rfis || []).filter((r) => !r.response).length;
    if (rfis) out.push(`${rfis} request${rfis === 1 ? '' : 's'} for information ${rfis === 1 ? 'is' : 'are'} open`);
    const current = (d.advice || []).filter((a) => a.current);
    if (!current.length) out.push('no team has advised');
    for (const a of current) if (!a.countersignatures.some((s) => s.accepted)) out.push(`the ${a.team.toUpperCase()} advice is not countersigned`);
    return out;
  }

  decisionForm(d, allowed) {
    const f = fieldOf('decision-');
    const blockers = this.blockers(d);
    const criteriaBox = checkboxes({ ...f('criteria'), legend: 'Criteria the refusal rests on', legendSize: 's', small: true,
      hint: 'Refusal criteria are published in the official statistics.',
      items: fmt.CRITERIA.map(([id, title]) => ({ value: id, text: `${id}: ${title}` })) });
    const items = DECISIONS.filter((e) => allowed.includes(e)).map((e) => ({
      value: e, text: { issue: 'Issue the licence', refuse: 'Refuse the application', no_licence_required: 'No licence is required' }[e],
      conditional: e === 'refuse' ? criteriaBox : undefined,
    }));
    const engaged = (d.assessment?.result?.findings || []).filter((x) => x.outcome !== 'clear').map((x) => x.criterion);
    const form = h('form', { class: 'app-action-form', id: 'decision-form' },
      heading(3, 'Make the decision', 'm'),
      blockers.length ? warning(`The decision cannot be recorded yet: ${blockers.join('; ')}.`) : null,
      d.assessment ? para(`The assessment against the criteria recommends: ${fmt.finding(d.assessment.recommendation)}`,
        engaged.length ? ` (criteria engaged: ${engaged.join(', ')}; ` : ' (',
        link('#assessment', 'see the findings'), ').') : null,
      radios({ ...f('decision'), legend: 'Decision', legendSize: 's', items }),
      textarea({ ...f('reason'), label: 'Reason for the decision', rows: 4, hint: 'It is kept on the record with the decision.' }),
      this.concernsAvailable ? input({ ...f('concerns_acknowledged'), label: 'Formal concerns you have read (if any are open)',
        hint: 'The ids of open formal concerns about this application, separated by commas.' }) : null,
      button('Record the decision'));
    return onSubmit(form, {
      prefix: 'decision-',
      check: (v) => {
        const p = [];
        required(v, 'decision', 'Select the decision', p);
        if (v.decision === 'refuse') required(v, 'criteria', 'Select the criteria the refusal rests on', p);
        required(v, 'reason', 'Enter the reason for the decision', p);
        return p;
      },
      send: (v) => {
        const body = { decision: v.decision, reason: v.reason };
        if (v.decision === 'refuse') body.criteria = v.criteria;
        if (v.concerns_acknowledged) body.concerns_acknowledged = v.concerns_acknowledged;
        const message = { issue: 'The licence is issued', refuse: 'The application is refused', no_licence_required: 'No licence is required: the case is closed' }[v.decision];
        if (v.decision === 'issue') {
          return this.act(this.write('/decision', body), (d) => ({ heading: message, body: d.licence ? para('Licence ', link(fmt.licenceHref(d.licence), d.licence), ' is in the register.') : null }));
        }
        return this.act(this.write('/decision', body), message);
      },
    });
  }

  appealDecisionForm(allowed) {
    const f = fieldOf('appeal-decision-');
    const criteriaBox = checkboxes({ ...f('criteria'), legend: 'Criteria the refusal still rests on', legendSize: 's', small: true,
      items: fmt.CRITERIA.map(([id, title]) => ({ value: id, text: `${id}: ${title}` })) });
    const form = h('form', { class: 'app-action-form', id: 'appeal-decision-form' },
      heading(3, 'Decide the appeal', 'm'),
      radios({ ...f('event'), legend: 'Decision on the appeal', legendSize: 's', items: APPEAL_DECISIONS.filter((e) => allowed.includes(e)).map((e) => ({
        value: e, text: e === 'allow_appeal' ? 'Allow the appeal: issue the licence' : 'Dismiss the appeal: the refusal stands',
        conditional: e === 'dismiss_appeal' ? criteriaBox : undefined })) }),
      textarea({ ...f('reason'), label: 'Reason', rows: 4 }),
      button('Record the appeal decision'));
    return onSubmit(form, {
      prefix: 'appeal-decision-',
      check: (v) => {
        const p = [];
        required(v, 'event', 'Select the decision on the appeal', p);
        if (v.event === 'dismiss_appeal') required(v, 'criteria', 'Select the criteria the refusal rests on', p);
        required(v, 'reason', 'Enter the reason', p);
        return p;
      },
      send: (v) => {
        const body = { event: v.event, reason: v.reason };
        if (v.event === 'dismiss_appeal') body.criteria = v.criteria;
        return this.act(this.write('/events', body), v.event === 'allow_appeal' ? 'The appeal is allowed and the licence issued' : 'The appeal is dismissed');
      },
    });
  }

  // ---- what the user can do now ----

  /** The workflow events of allowed_events (other than decisions) as buttons or small forms. */
  eventControls(d) {
    const allowed = (d.allowed_events || []).filter((e) => !DECISIONS.includes(e) && !APPEAL_DECISIONS.includes(e));
    const plain = allowed.filter((e) => !['withdraw', 'appeal', 'return_to_advice', 'submit'].includes(e));
    const out = [];
    if (plain.length) {
      out.push(buttonGroup(plain.map((e) => {
        const form = h('form', { class: 'app-inline-form' }, button(fmt.event(e), { id: `event-${e}` }));
        return onSubmit(form, { send: () => this.act(this.write('/events', { event: e }), EVENT_DONE[e] ?? `${fmt.event(e)}: done`) });
      })));
    }
    if (allowed.includes('return_to_advice')) {
      const f = fieldOf('return-');
      const form = h('form', null,
        textarea({ ...f('reason'), label: 'What more advice is needed', rows: 3 }),
        button('Return to advice', { variant: 'secondary', id: 'event-return_to_advice' }));
      out.push(details('Return the case to the advisers', onSubmit(form, {
        prefix: 'return-',
        send: (v) => this.act(this.write('/events', { event: 'return_to_advice', reason: v.reason || undefined }), 'The case is back with the advisers'),
      })));
    }
    // The workflow offers `appeal` on every finalised case; its guard admits refusals only.
    if (allowed.includes('appeal') && d.outcome === 'refused') out.push(this.appealForm(d));
    if (allowed.includes('withdraw')) {
      const f = fieldOf('withdraw-');
      const form = h('form', null,
        warning('Withdrawing ends the application. It cannot be reopened: you would start a new one.'),
        textarea({ ...f('reason'), label: 'Why are you withdrawing it? (optional)', rows: 3 }),
        button('Withdraw application', { variant: 'warning', id: 'event-withdraw' }));
      out.push(details('Withdraw this application', onSubmit(form, {
        prefix: 'withdraw-',
        send: (v) => this.act(this.write('/events', { event: 'withdraw', reason: v.reason || undefined }), 'The application is withdrawn'),
      })));
    }
    return out;
  }

  appealForm(d) {
    const f = fieldOf('appeal-');
    const form = h('form', { class: 'app-action-form', id: 'appeal-form' },
      heading(3, 'Appeal the refusal', 'm'),
      d.appeal_by ? para(`You can appeal until ${fmt.date(d.appeal_by)}.`) : null,
      textarea({ ...f('grounds'), label: 'Grounds for your appeal', rows: 6, hint: 'Why the refusal is wrong, with any new information.' }),
      button('Lodge appeal'));
    return onSubmit(form, {
      prefix: 'appeal-',
      check: (v) => { const p = []; required(v, 'grounds', 'Enter the grounds for your appeal', p); return p; },
      send: (v) => this.act(this.write('/events', { event: 'appeal', grounds: v.grounds }), 'Your appeal is lodged'),
    });
  }

  todo(d) {
    const items = [];
    const allowed = d.allowed_events || [];
    if (this.can('case_officer')) {
      const n = (d.screening || []).filter((x) => !x.disposition).length;
      if (n && !CLOSED.has(d.status)) items.push(link('#screening', `Dispose of ${n} screening hit${n === 1 ? '' : 's'}`));
    }
    if (this.can('technical_assessor') && ['initial_checks', 'technical_assessment'].includes(d.status)) {
      const n = (d.goods || []).filter((g) => !g.assessed_rating).length;
      if (n) items.push(link('#goods', `Confirm the rating of ${n} goods line${n === 1 ? '' : 's'}`));
    }
    if (this.can('adviser') && d.status === 'under_advice') {
      const mine = (d.advice || []).some((a) => a.team === this.user.team);
      items.push(mine ? link('#advice-revise', 'Revise your team’s advice') : link('#advice-form', 'Give your team’s advice'));
    }
    if (this.can('countersigner') && ['under_advice', 'final_review'].includes(d.status)) {
      const n = (d.advice || []).filter((a) => a.current && !a.countersignatures.some((s) => s.accepted)).length;
      if (n) items.push(link('#advice', `Countersign ${n} advice revision${n === 1 ? '' : 's'}`));
    }
    if (DECISIONS.some((e) => allowed.includes(e))) items.push(link('#decision-form', 'Make the decision'));
    if (APPEAL_DECISIONS.some((e) => allowed.includes(e))) items.push(link('#appeal-decision-form', 'Decide the appeal'));
    if (!this.staff) {
      for (const r of (d.rfis || []).filter((x) => !x.response)) items.push(link(`#rfi-${r.id}`, `Answer request for information ${r.id}`));
    }
    const controls = this.eventControls(d);
    if (!items.length && !controls.length) return section('actions', 'What you can do', para('There is nothing for you to do on this application now.'));
    return section('actions', 'What you can do', items.length ? list(items, { bullet: true }) : null, controls);
  }

  // ---- the two views ----

  staffView(d) {
    return [
      this.header(d),
      h('div', { class: 'govuk-grid-row' }, h('div', { class: 'govuk-grid-column-two-thirds' }, this.progress(d), this.todo(d))),
      this.details(d), this.parties(d), this.screening(d), this.goods(d), this.assessment(d), this.advice(d),
      this.rfis(d), this.notes(d), this.decision(d),
      this.concernsAvailable ? para(link(`/concerns.html?about=${encodeURIComponent(`case:${d.reference}`)}`, 'Raise a formal concern about this application')) : null,
    ];
  }

  exporterView(d) {
    const open = (d.rfis || []).filter((r) => !r.response);
    return [
      this.header(d),
      open.length ? inset(h('p', { class: 'govuk-body govuk-!-font-weight-bold' }, `The licensing unit has asked you for information (${open.length} open request${open.length === 1 ? '' : 's'}). The service-level clock stops until you answer.`),
        list(open.map((r) => link(`#rfi-${r.id}`, `Answer request ${r.id}`)))) : null,
      this.outcome(d),
      d.status === 'draft' ? inset('This application is a draft: nothing has been sent to the licensing unit. Check it, then ',
        link('#submit-form', 'submit it'), ' at the bottom of this page.') : null,
      h('div', { class: 'govuk-grid-row' }, h('div', { class: 'govuk-grid-column-two-thirds' }, this.progress(d), d.status === 'draft' ? null : this.todo(d))),
      this.details(d), this.parties(d), this.goods(d),
      d.status === 'draft' ? [this.draftChecks(d), this.todo(d)] : [this.rfis(d), this.notes(d)],
    ];
  }

  outcome(d) {
    if (d.status !== 'finalised' && d.status !== 'under_appeal') return null;
    if (d.outcome === 'issued') {
      return h('div', { class: 'govuk-panel govuk-panel--confirmation' },
        h('h2', { class: 'govuk-panel__title' }, 'Licence issued'),
        h('div', { class: 'govuk-panel__body' }, 'Your licence reference is', h('br'), h('strong', null, d.licence || d.reference)));
    }
    if (d.outcome === 'refused') {
      const criteria = fmt.criteriaList(d.refusal_criteria);
      return section('outcome', 'Your application was refused',
        para(`The decision was made on ${fmt.date(d.decided_at)}. It rests on these criteria of the Strategic Export Licensing Criteria:`),
        list(criteria.map((c) => fmt.criterion(c)), { bullet: true }),
        d.status === 'under_appeal' ? inset('Your appeal is being considered.') : d.appeal_by ? para(`You can appeal until ${fmt.date(d.appeal_by)}.`) : null);
    }
    return section('outcome', fmt.outcome(d.outcome), para(`Decided on ${fmt.date(d.decided_at)}.`));
  }

  draftChecks(d) {
    const missing = [];
    if (!(d.parties || []).some((p) => p.role === 'end_user')) missing.push('name an end user');
    if (!(d.goods || []).length) missing.push('add at least one goods line');
    const form = h('form', { class: 'app-section', id: 'submit-form', tabindex: '-1' },
      heading(2, 'Submit your application', 'l'),
      missing.length ? warning(`Before you submit: ${missing.join(' and ')}.`) : null,
      para('When you submit, every party is screened against sanctions and denied-party lists and the application is assessed against the licensing criteria. You cannot change it after that.'),
      buttonGroup(button('Submit application', { id: 'event-submit' }),
        linkButton(`/apply.html?ref=${encodeURIComponent(this.ref)}`, 'Change application', { variant: 'secondary' })));
    return onSubmit(form, { send: () => this.act(() => post(`${this.path}/submit`, undefined, { ifMatch: this.etag }), 'Your application is submitted') });
  }
}

const EVENT_DONE = {
  start_checks: 'You have taken the case: initial checks have started',
  send_to_technical: 'The goods are sent for technical assessment',
  complete_technical: 'The technical assessment is complete: the case is with the advisers',
  send_to_advisers: 'The case is sent to the advisers',
  consolidate: 'The advice is consolidated: the case is ready for countersigning and decision',
};

const DECIDED = { issue: 'Licence issued', refuse: 'Refused', no_licence_required: 'No licence required',
  allow_appeal: 'Appeal allowed: licence issued', dismiss_appeal: 'Appeal dismissed' };

/** The findings that engage a criterion first; those found clear folded away. */
function findingsTables(findings) {
  const rowsOf = (list) => list.map((x) => [
    { header: true, content: [h('span', null, x.criterion), h('span', { class: 'app-cell-note' }, fmt.criterionTitle(x.criterion))] },
    tag(fmt.finding(x.outcome), fmt.findingColour(x.outcome)),
    [x.reason, x.lines?.length ? h('span', { class: 'app-cell-note' }, `Goods line${x.lines.length === 1 ? '' : 's'} ${x.lines.join(', ')}`) : null],
    (x.evidence || []).length ? h('span', { class: 'app-tags' }, x.evidence.map((id) => link(`#evidence-${id}`, id))) : h('span', { class: 'app-none' }, 'None'),
  ]);
  const head = ['Criterion', 'Finding', 'Reason', 'Evidence'];
  const engaged = findings.filter((x) => x.outcome !== 'clear');
  const clear = findings.filter((x) => x.outcome === 'clear');
  return [
    engaged.length ? h('div', { class: 'app-table-wrap' }, table({ caption: 'Criteria engaged', captionSize: 's', head, rows: rowsOf(engaged) }))
      : para('No criterion is engaged.'),
    clear.length ? details(`${clear.length} criteria found clear`, h('div', { class: 'app-table-wrap' },
      table({ caption: 'Criteria found clear', captionSize: 's', head, rows: rowsOf(clear) })), { id: 'findings-clear' }) : null,
  ];
}

/** "un version 3" from a hit's list and its recorded version ("un:3"). */
function listVersion(list, version) {
  if (version && version.startsWith(`${list}:`)) return `${list} version ${version.slice(list.length + 1)}`;
  return version ? `${list} (${version})` : list;
}

function section(id, title, ...content) {
  return h('section', { class: 'app-section', id, 'aria-labelledby': `${id}-heading`, tabindex: '-1' },
    heading(2, title, 'l', { id: `${id}-heading` }), ...content);
}

function adviceRows(a) {
  const signatures = a.countersignatures || [];
  return summaryList([
    { key: 'Advice', value: tag(fmt.advice(a.advice), fmt.adviceColour(a.advice)) },
    { key: 'Text', value: prose(a.text, 'govuk-body govuk-!-margin-bottom-0') },
    { key: 'Provisos', value: a.provisos ? prose(a.provisos, 'govuk-body govuk-!-margin-bottom-0') : undefined },
    { key: 'Criteria', value: a.criteria?.length ? list(a.criteria.map((c) => fmt.criterion(c))) : undefined },
    { key: 'Revision', value: `${a.revision}${a.current ? ' (current)' : ' (superseded)'}` },
    { key: 'Why it was revised', value: a.change_reason ? prose(a.change_reason, 'govuk-body govuk-!-margin-bottom-0') : undefined },
    { key: 'Given by', value: `${a.author}, ${fmt.dateTime(a.created_at)}` },
    { key: 'Countersignatures', value: signatures.length ? list(signatures.map((s) => [
      tag(s.accepted ? 'Accepted' : 'Rejected', s.accepted ? 'green' : 'red'), ` by ${s.signer}, ${fmt.dateTime(s.created_at)}: `, s.reasons])) : null,
    empty: a.current ? 'Not countersigned yet' : 'None' },
  ]);
}

/** A screening explanation: the words aligned, and what raised or lowered the score. */
function explanation(e) {
  if (!e || typeof e !== 'object') return para('No explanation was recorded.');
  const out = [];
  if (e.query_tokens || e.list_tokens) {
    out.push(summaryList([
      { key: 'Party’s name, normalised', value: e.query_tokens ? h('span', { class: 'app-hash' }, e.query_tokens) : undefined },
      { key: 'Listed name, normalised', value: e.list_tokens ? h('span', { class: 'app-hash' }, e.list_tokens) : undefined },
      { key: 'Name score', value: e.name_score !== undefined ? `${Math.round(Number(e.name_score) * 100)}%` : undefined },
      { key: 'Rule', value: e.rule || undefined },
    ]));
  }
  if (Array.isArray(e.parts) && e.parts.length) {
    out.push(table({ caption: 'How the words were matched', captionSize: 's',
      head: ['Party’s word', 'Listed word', 'How', { text: 'Similarity', numeric: true }],
      rows: e.parts.map((p) => [p.query ?? '—', p.list ?? '—', [p.how ?? '', p.note ? ` (${p.note})` : ''],
        p.similarity !== undefined ? `${Math.round(Number(p.similarity) * 100)}%` : '']) }));
  }
  if (Array.isArray(e.qualifiers) && e.qualifiers.length) {
    out.push(heading(4, 'What changed the score', 's'),
      list(e.qualifiers.map((q) => `${q.name.replace(/_/g, ' ')}${q.detail ? `: ${q.detail}` : ''}${q.factor !== undefined ? ` (× ${q.factor})` : ''}${q.delta !== undefined ? ` (${q.delta > 0 ? '+' : ''}${q.delta})` : ''}`), { bullet: true }));
  }
  if (!out.length) out.push(h('pre', { class: 'app-hash govuk-body-s' }, JSON.stringify(e, null, 2)));
  return out;
}
