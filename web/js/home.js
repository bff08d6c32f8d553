// Home: an exporter's applications, or the staff work queue (applications
// by status, with their service-level due dates and open screening hits).
import { get } from './api.js';
import { h, replace } from './dom.js';
import { caption, heading, hint, link, linkButton, pagination, para, table, tabs, tag } from './govuk.js';
import * as fmt from './format.js';
import { params, startPage } from './layout.js';

const PAGE_SIZE = 50;

export function homePage() {
  return startPage({
    area: 'home', title: 'Home',
    async render(main, { user }) {
      if (user.role === 'exporter') await exporterHome(main, user);
      else await workQueue(main, user);
    },
  });
}

function pageNumber() {
  const n = Number(params().get('page') || 1);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

function caseLink(ref) {
  return link(fmt.applicationHref(ref), ref);
}

function statusTag(c) {
  if (c.status === 'finalised' && c.outcome) return tag(fmt.outcome(c.outcome), fmt.outcomeColour(c.outcome));
  return tag(fmt.caseStatus(c.status), fmt.caseStatusColour(c.status));
}

// ---- exporters ----

async function exporterHome(main, user) {
  document.title = document.title.replace(/^Home/, 'Your applications');
  const page = pageNumber();
  const { data } = await get('/api/v1/applications', { query: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } });
  const cases = data.cases || [];
  replace(main,
    caption(user.organisation || ''),
    heading(1, 'Your applications'),
    para('Apply for an export licence, follow your applications, and answer the licensing unit’s requests for information.'),
    linkButton('/apply.html', 'Start an application'),
    cases.length ? [
      h('div', { class: 'app-table-wrap' }, table({
        caption: `${fmt.number(data.total)} application${data.total === 1 ? '' : 's'}`,
        head: ['Reference', 'Type', 'Destination', 'Status', 'Started', 'Submitted'],
        rows: cases.map((c) => [caseLink(c.reference), c.type, c.destination, statusTag(c), fmt.date(c.created_at),
          c.submitted_at ? fmt.date(c.submitted_at) : h('span', { class: 'app-none' }, 'Not yet')]),
        firstCellIsHeader: false,
      })),
      pagination({ page, pages: Math.ceil(data.total / PAGE_SIZE), hrefFor: (p) => `/?page=${p}` }),
    ] : para('You have no applications yet.'));
}

// ---- staff ----

/** The statuses each role works on, with what they do there. */
const ROLE_WORK = {
  case_officer: [['submitted', 'take the case and start initial checks'], ['initial_checks', 'dispose of screening hits, send to technical assessment or advisers'],
    ['under_advice', 'consolidate the advice once every team has advised']],
  technical_assessor: [['technical_assessment', 'confirm each goods line’s control-list rating']],
  adviser: [['under_advice', 'give your team’s advice']],
  countersigner: [['under_advice', 'countersign advice'], ['final_review', 'countersign advice before the decision']],
  decision_maker: [['final_review', 'issue, refuse, or find that no licence is required'], ['under_appeal', 'decide the appeal']],
};

const QUEUE_STATUSES = ['submitted', 'initial_checks', 'technical_assessment', 'under_advice', 'final_review',
  'under_appeal', 'finalised', 'withdrawn'];
const OPEN = new Set(['submitted', 'initial_checks', 'technical_assessment', 'under_advice', 'final_review', 'under_appeal']);

function dueCell(c) {
  if (!c.sla_due) return h('span', { class: 'app-none' }, 'None');
  if (!OPEN.has(c.status)) return fmt.date(c.sla_due);
  const days = fmt.daysBetween(fmt.today(), c.sla_due);
  let flag = null;
  if (days < 0) flag = tag('Overdue', 'red');
  else if (days === 0) flag = tag('Due today', 'orange');
  else if (days <= 7) flag = tag(`Due in ${days} day${days === 1 ? '' : 's'}`, 'yellow');
  return h('span', { class: 'app-tags' }, fmt.date(c.sla_due), flag);
}

function hitsCell(c) {
  const n = c.open_screening_hits ?? 0;
  return n ? tag(`${n} to dispose of`, 'red') : h('span', { class: 'app-none' }, 'None');
}

function queueTable(cases, captionText) {
  return h('div', { class: 'app-table-wrap' }, table({
    caption: captionText, captionSize: 's',
    head: ['Reference', 'Exporter', 'Destination', 'Status', 'Service level due', 'Open screening hits'],
    rows: cases.map((c) => [caseLink(c.reference), c.exporter, c.destination, statusTag(c), dueCell(c), hitsCell(c)]),
  }));
}

const bySla = (a, b) => String(a.sla_due || '9999').localeCompare(String(b.sla_due || '9999'));

async function workQueue(main, user) {
  document.title = document.title.replace(/^Home/, 'Work queue');
  const only = params().get('status');
  if (only) {
    await oneStatus(main, only);
    return;
  }
  const results = await Promise.all(QUEUE_STATUSES.map((status) =>
    get('/api/v1/applications', { query: { status, limit: PAGE_SIZE } }).then((r) => [status, r.data])));
  const byStatus = Object.fromEntries(results);
  const work = ROLE_WORK[user.role] || [];
  const yours = work.flatMap(([status]) => byStatus[status]?.cases || []).sort(bySla);
  const openTotal = [...OPEN].reduce((n, s) => n + (byStatus[s]?.total || 0), 0);

  replace(main,
    heading(1, 'Work queue'),
    para(`${fmt.number(openTotal)} application${openTotal === 1 ? ' is' : 's are'} open. Applications are listed with the date their 20-working-day service level falls due (the clock stops while a request for information is open).`),
    work.length ? h('section', { class: 'govuk-!-margin-bottom-8', 'aria-labelledby': 'your-work' },
      heading(2, 'Waiting for you', 'm', { id: 'your-work' }),
      h('ul', { class: 'govuk-list govuk-list--bullet' }, work.map(([status, what]) =>
        h('li', null, h('strong', null, fmt.caseStatus(status)), `: ${what} (${fmt.number(byStatus[status]?.total || 0)})`))),
      yours.length ? queueTable(yours, `${yours.length} application${yours.length === 1 ? '' : 's'}, soonest due first`)
        : para('Nothing is waiting for you.')) : null,
    heading(2, 'Applications by status', 'm'),
    tabs('Contents', QUEUE_STATUSES.map((status) => {
      const d = byStatus[status] || { total: 0, cases: [] };
      return {
        id: `status-${status.replace(/_/g, '-')}`,
        label: `${fmt.caseStatus(status)} (${fmt.number(d.total)})`,
        content: [
          heading(3, fmt.caseStatus(status), 'm'),
          d.cases.length ? queueTable(d.cases, `${fmt.number(d.total)} application${d.total === 1 ? '' : 's'}`)
            : para('None.'),
          d.total > d.cases.length ? para(link(`/?status=${status}`, `See all ${fmt.number(d.total)} ${fmt.caseStatus(status).toLowerCase()} applications`)) : null,
        ],
      };
    })));
}

async function oneStatus(main, status) {
  const page = pageNumber();
  const { data } = await get('/api/v1/applications', { query: { status, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } });
  replace(main,
    h('a', { href: '/', class: 'govuk-back-link' }, 'Back to the work queue'),
    heading(1, `${fmt.caseStatus(status)} applications`),
    hint(`${fmt.number(data.total)} in all`),
    data.cases.length ? queueTable(data.cases, `Page ${page}`) : para('None.'),
    pagination({ page, pages: Math.ceil(data.total / PAGE_SIZE), hrefFor: (p) => `/?status=${encodeURIComponent(status)}&page=${p}` }));
}
