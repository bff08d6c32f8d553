// How values read on the page: dates, money, and the names of statuses,
// roles, events and criteria. One place, so every page says the same thing.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

/** "2026-12-29" or an ISO time -> "29 December 2026"; '' for nothing. */
export function date(value) {
  if (!value) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return String(value);
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** "2026-11-29T15:29:31Z" -> "29 November 2026 at 3:29pm (UTC)". */
export function dateTime(value) {
  if (!value) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return date(value);
  const hour = Number(m[2]);
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return `${date(m[1])} at ${h12}:${m[3]}${hour < 12 ? 'am' : 'pm'} (UTC)`;
}

/** Today as YYYY-MM-DD (UTC, as the server counts). */
export function today() {
  return new Date().toISOString().slice(0, 10);
}

/** Whole days from a to b (YYYY-MM-DD). */
export function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}

const POUNDS = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
const WHOLE_POUNDS = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', maximumFractionDigits: 0 });
const NUMBER = new Intl.NumberFormat('en-GB');

export function money(value) {
  if (value === null || value === undefined || value === '') return '';
  const n = Number(value);
  return Number.isInteger(n) ? WHOLE_POUNDS.format(n) : POUNDS.format(n);
}

export function number(value) {
  if (value === null || value === undefined || value === '') return '';
  return NUMBER.format(Number(value));
}

/** A label from a table, or the value with underscores as spaces. */
function lookup(table, value) {
  if (value === null || value === undefined) return '';
  return table[value] ?? String(value).replace(/_/g, ' ');
}

const ROLES = {
  exporter: 'Exporter', case_officer: 'Case officer', technical_assessor: 'Technical assessor', adviser: 'Adviser',
  countersigner: 'Countersigner', decision_maker: 'Decision maker', nominated_officer: 'Nominated officer',
  auditor: 'Auditor', admin: 'Administrator',
};
export const role = (r) => lookup(ROLES, r);

const TEAMS = { fcdo: 'Foreign, Commonwealth and Development Office', mod: 'Ministry of Defence',
  ncsc: 'National Cyber Security Centre', desnz: 'Department for Energy Security and Net Zero' };
export const team = (t) => (t ? `${lookup(TEAMS, t)} (${String(t).toUpperCase()})` : '');

// Application statuses, in the order a case moves through them.
export const CASE_STATUSES = ['draft', 'submitted', 'initial_checks', 'technical_assessment', 'under_advice',
  'final_review', 'finalised', 'under_appeal', 'withdrawn'];
const CASE_STATUS = {
  draft: ['Draft', 'grey'], submitted: ['Submitted', 'blue'], initial_checks: ['Initial checks', 'teal'],
  technical_assessment: ['Technical assessment', 'purple'], under_advice: ['Under advice', 'yellow'],
  final_review: ['Final review', 'orange'], finalised: ['Finalised', 'green'], under_appeal: ['Under appeal', 'pink'],
  withdrawn: ['Withdrawn', 'grey'],
};
export const caseStatus = (s) => (CASE_STATUS[s] ?? [lookup({}, s), 'grey'])[0];
export const caseStatusColour = (s) => (CASE_STATUS[s] ?? ['', 'grey'])[1];

const OUTCOMES = { issued: ['Licence issued', 'green'], refused: ['Refused', 'red'],
  no_licence_required: ['No licence required', 'grey'] };
export const outcome = (o) => (OUTCOMES[o] ?? [lookup({}, o), 'grey'])[0];
export const outcomeColour = (o) => (OUTCOMES[o] ?? ['', 'grey'])[1];

export const LICENCE_STATUSES = ['issued', 'suspended', 'reinstated', 'revoked', 'surrendered', 'exhausted',
  'expired', 'refused'];
const LICENCE_STATUS = {
  issued: ['Issued', 'green'], suspended: ['Suspended', 'orange'], reinstated: ['Reinstated', 'turquoise'],
  revoked: ['Revoked', 'red'], surrendered: ['Surrendered', 'grey'], exhausted: ['Exhausted', 'grey'],
  expired: ['Expired', 'grey'], refused: ['Refused', 'red'],
};
export const licenceStatus = (s) => (LICENCE_STATUS[s] ?? [lookup({}, s), 'grey'])[0];
export const licenceStatusColour = (s) => (LICENCE_STATUS[s] ?? ['', 'grey'])[1];

export const LICENCE_TYPES = {
  SIEL: 'Standard individual export licence', OIEL: 'Open individual export licence',
  SITCL: 'Standard individual trade control licence', OITCL: 'Open individual trade control licence',
  SITL: 'Standard individual transhipment licence', F680: 'F680 security clearance',
};
export const licenceType = (t) => (LICENCE_TYPES[t] ? `${LICENCE_TYPES[t]} (${t})` : t ?? '');

export const PARTY_ROLES = { end_user: 'End user', consignee: 'Consignee', ultimate_end_user: 'Ultimate end user',
  third_party: 'Third party' };
export const partyRole = (r) => lookup(PARTY_ROLES, r);
export const PARTY_TYPES = { government: 'Government', armed_forces: 'Armed forces', police: 'Police',
  commercial: 'Commercial organisation', individual: 'Individual', other: 'Other' };
export const partyType = (t) => lookup(PARTY_TYPES, t);

const SCREENING = { not_screened: ['Not screened', 'grey'], clear: ['Clear', 'green'],
  possible_match: ['Possible match', 'orange'], true_match: ['True match', 'red'],
  false_positive: ['False positive', 'turquoise'] };
export const screening = (s) => (SCREENING[s] ?? [lookup({}, s), 'grey'])[0];
export const screeningColour = (s) => (SCREENING[s] ?? ['', 'grey'])[1];

export const ADVICE = { approve: ['Approve', 'green'], approve_with_provisos: ['Approve with provisos', 'turquoise'],
  refuse: ['Refuse', 'red'], no_licence_required: ['No licence required', 'grey'], conflicting: ['Conflicting', 'orange'] };
export const advice = (a) => (ADVICE[a] ?? [lookup({}, a), 'grey'])[0];
export const adviceColour = (a) => (ADVICE[a] ?? ['', 'grey'])[1];

const FINDINGS = { refuse: ['Refuse', 'red'], refer: ['Refer', 'orange'], caution: ['Caution', 'yellow'],
  clear: ['Clear', 'green'], approve: ['Approve', 'green'], approve_with_provisos: ['Approve with provisos', 'turquoise'] };
export const finding = (f) => (FINDINGS[f] ?? [lookup({}, f), 'grey'])[0];
export const findingColour = (f) => (FINDINGS[f] ?? ['', 'grey'])[1];

// What each workflow event is called on a button.
const EVENTS = {
  submit: 'Submit application', start_checks: 'Start initial checks', send_to_technical: 'Send to technical assessment',
  complete_technical: 'Complete technical assessment', send_to_advisers: 'Send to advisers',
  consolidate: 'Consolidate advice for a decision', return_to_advice: 'Return to advice', issue: 'Issue a licence',
  refuse: 'Refuse', no_licence_required: 'No licence required', appeal: 'Appeal the refusal',
  allow_appeal: 'Allow the appeal', dismiss_appeal: 'Dismiss the appeal', withdraw: 'Withdraw application',
  suspend: 'Suspend licence', reinstate: 'Reinstate licence', revoke: 'Revoke licence',
};
export const event = (e) => lookup(EVENTS, e);

// The Strategic Export Licensing Criteria (8 December 2021), as data/criteria.csv has them.
export const CRITERIA = [
  ['1a', 'Arms embargoes and sanctions the UK enforces'],
  ['1b', 'Non-proliferation treaties: NPT, BTWC, CWC'],
  ['1c', 'Arms Trade Treaty'],
  ['1d', 'Export-control regimes: Wassenaar, MTCR, NSG, Australia Group, Zangger, HCoC'],
  ['1e', 'Anti-personnel mines (Ottawa Convention)'],
  ['1f', 'Cluster munitions (Convention on Cluster Munitions)'],
  ['2a', 'Clear risk of use for internal repression'],
  ['2b', 'Special caution where serious human-rights violations are established'],
  ['2c', 'Clear risk of use to commit or facilitate a serious violation of IHL'],
  ['3', 'Internal situation: would provoke or prolong armed conflict or aggravate tensions'],
  ['4', 'Regional peace and stability: clear risk of aggression or forcible territorial claim'],
  ['5a', 'Effect on the defence and security interests of the UK and allies'],
  ['5b', 'Risk of use against UK forces or those of allies'],
  ['5c', 'Risk of reverse engineering or unintended technology transfer'],
  ['6a', 'Support for terrorism and organised crime'],
  ['6b', 'Compliance with international commitments and law'],
  ['7', 'Risk of diversion or re-export to an undesirable end user or end use'],
  ['8', 'Technical and economic capacity of the recipient'],
];
const CRITERION_TITLES = Object.fromEntries(CRITERIA);
CRITERION_TITLES['1'] = 'International obligations and commitments';
CRITERION_TITLES['2'] = 'Human rights and international humanitarian law';
CRITERION_TITLES['5'] = 'National security of the UK and of allies';
CRITERION_TITLES['6'] = 'Behaviour of the buyer country towards the international community';
export const criterionTitle = (id) => CRITERION_TITLES[String(id).toLowerCase()] ?? '';
export const criterion = (id) => (criterionTitle(id) ? `Criterion ${id}: ${criterionTitle(id)}` : `Criterion ${id}`);

/** Criteria as an array, whether the API sent ["2c", "7"] or "2c;7". */
export function criteriaList(value) {
  if (Array.isArray(value)) return value.filter(Boolean).map(String);
  if (!value) return [];
  return String(value).split(/[;,\s]+/).filter(Boolean);
}

/** Sentence case for a message that starts lower case ("unknown destination" -> "Unknown destination"). */
export function sentence(text) {
  const s = String(text ?? '').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** A case or licence reference as it appears in a path: dashes for slashes. */
export const refToPath = (ref) => String(ref).replace(/\//g, '-');
/** The link to an application's page. */
export const applicationHref = (ref) => `/application.html?ref=${encodeURIComponent(refToPath(ref))}`;
export const licenceHref = (ref) => `/licence.html?ref=${encodeURIComponent(ref)}`;
