// One application's whole life through the web pages, in Debian's Chromium:
// the exporter (keyboard only) signs in, meets a validation error, saves a
// draft and submits it; the case officer takes the case, disposes of a
// screening hit, asks for information and sends the goods to technical
// assessment; the exporter answers; the technical assessor confirms the
// ratings; two advisers advise (one revises); the case officer consolidates;
// the countersigner accepts both; the decision maker issues the licence.
// Along the way: the exporter never sees internal advice, notes or
// screening; the licence register, the audit page, reviews and concerns
// either work or say they are not available. Screenshots go to --out.
//
// A second application, refused (set up through the API), is appealed by the
// exporter and the appeal dismissed by the decision maker through the pages.
//
// usage: node flow.mjs --url URL --db DB --out DIR --profile DIR --chromium PATH
//                      --tokens FILE.json --password PASSWORD --bin PENHOLDER
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessibilityAvailable, accessibilityProblems, launch } from './lib.mjs';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const { url, db, out, profile, password, bin } = args;
const tokens = JSON.parse(readFileSync(args.tokens, 'utf8'));
const started = Date.now();

let checks = 0;
let failures = 0;
function check(ok, what, detail = '') {
  checks += 1;
  if (ok) {
    console.log(`ok - ${what}${process.env.E2E_TIMING ? ` [${((Date.now() - started) / 1000).toFixed(1)}s]` : ""}`);
  } else {
    failures += 1;
    console.log(`not ok - ${what}${detail ? `: ${detail}` : ''}`);
  }
  return ok;
}

const { context, page, scriptErrors } = await launch({ chromiumPath: args.chromium, profile });

let shot = 0;
const accessibility = [];
const spent = { screenshots: 0, accessibility: 0 };
// The accessibility check costs a second or two a page: it runs once per kind of page.
const CHECKED = new Set(['sign-in', 'validation-error', 'draft', 'work-queue', 'screening-hit', 'exporter-request',
  'advice-history', 'decision', 'decision-on-a-phone', 'exporter-refused', 'audit']);
async function screenshot(name) {
  shot += 1;
  let t = Date.now();
  await page.screenshot({ path: join(out, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  spent.screenshots += Date.now() - t;
  t = Date.now();
  if (CHECKED.has(name)) accessibility.push(...(await accessibilityProblems(page)).map((p) => `${name}: ${p}`));
  spent.accessibility += Date.now() - t;
}

const main = () => page.locator('#main-content');
const mainText = () => main().innerText();
const banner = (text) => page.locator('.app-banner-slot .govuk-notification-banner__heading', { hasText: text });

/** Presses Tab until `selector` has focus: proof that a keyboard reaches it. */
async function tabTo(selector, max = 60) {
  for (let n = 0; n < max; n++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement === document.querySelector(s), selector)) return true;
  }
  throw new Error(`${selector} cannot be reached with the Tab key`);
}
const focusedId = () => page.evaluate(() => document.activeElement?.id || '');

async function signIn(name, next) {
  await page.goto(`${url}/sign-in.html${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('Account name').fill(name);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.locator('#site-header .app-header-account').waitFor();
  await main().locator('h1').first().waitFor();
}

async function signOut() {
  await page.locator('#sign-out').click();
  await page.waitForURL(/sign-in/);
  await page.getByText('You have signed out').waitFor();
}

let reference = '';
const refPath = () => reference.replace(/\//g, '-');

async function openCase() {
  await page.goto(`${url}/application.html?ref=${refPath()}`);
  await main().locator('h1', { hasText: reference }).waitFor();
}

/** Clicks a button and waits for the success banner the page shows afterwards. */
async function press(name, expected) {
  await main().getByRole('button', { name, exact: true }).click();
  await banner(expected).waitFor();
}

/** An API call as NAME with their token (for setting up and checking, not for what the pages do). */
async function as(name, method, path, body) {
  const r = await fetch(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { Authorization: `Bearer ${tokens[name]}`, 'Content-Type': 'application/json' } });
  const json = await r.json().catch(() => null);
  if (r.status >= 400) throw new Error(`${name} ${method} ${path}: HTTP ${r.status} ${JSON.stringify(json)}`);
  return json;
}
const api = async (path) => ({ body: await as('officer', 'GET', path) });

/** An application refused under Criterion 2c, every step through the API. */
async function refusedCase() {
  const c = await as('acme', 'POST', '/api/v1/applications', {
    type: 'SIEL', destination: 'Israel', end_use: 'Ground targeting for the Israel Defense Forces', exporter: 'Acme Aerospace Ltd',
    parties: [{ role: 'end_user', name: 'Israel Defense Forces', country: 'IL', type: 'armed_forces' }],
    goods: [{ description: 'Targeting pod components', rating: 'ML5.b', quantity: 4, value_gbp: 52000 }],
  });
  const p = `/api/v1/applications/${c.reference.replace(/\//g, '-')}`;
  await as('acme', 'POST', `${p}/submit`);
  await as('officer', 'POST', `${p}/events`, { event: 'start_checks' });
  await as('officer', 'POST', `${p}/events`, { event: 'send_to_technical' });
  await as('tau', 'POST', `${p}/goods/1/rating`, { rating: 'ML5.b', report_summary: 'components for targeting equipment' });
  await as('tau', 'POST', `${p}/events`, { event: 'complete_technical' });
  const advised = await as('fcdo', 'POST', `${p}/advice`, { advice: 'refuse', text: 'Clear risk of use in ground targeting in Gaza.', criteria: ['2c'] });
  await as('officer', 'POST', `${p}/events`, { event: 'consolidate' });
  await as('signer', 'POST', `${p}/countersign`, { advice: advised.advice[0].id, accepted: true, reasons: 'The evidence supports it.' });
  await as('dm', 'POST', `${p}/decision`, { decision: 'refuse', reason: 'Clear risk under Criterion 2c.', criteria: ['2c'] });
  return c.reference;
}

async function routes() {
  const text = await (await fetch(`${url}/api/v1/openapi.yaml`)).text();
  return new Set([...text.matchAll(/^ {2}(\/api\/v1\/\S+):\s*$/gm)].map((m) => m[1]));
}

/** Pages that a strict Content-Security-Policy can serve: no inline script, style or handler. */
function inlineCode() {
  const found = [];
  const web = new URL('../../web/', import.meta.url);
  for (const name of readdirSync(web).filter((n) => n.endsWith('.html'))) {
    const html = readFileSync(new URL(name, web), 'utf8');
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) if (!/\ssrc=/.test(m[1]) || m[2].trim()) found.push(`${name}: inline script`);
    if (/<[^>]+\sstyle=/.test(html)) found.push(`${name}: style attribute`);
    if (/<[^>]+\son[a-z]+=/.test(html)) found.push(`${name}: event handler attribute`);
  }
  for (const name of readdirSync(new URL('js/', web))) {
    const js = readFileSync(new URL(`js/${name}`, web), 'utf8');
    if (/\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\('style'/.test(js)) found.push(`js/${name}: builds markup from strings`);
  }
  return found;
}

try {
  const available = await routes();
  const refused = await refusedCase();
  const inline = inlineCode();
  check(inline.length === 0, 'no page has inline script, style or handlers, and no script builds markup from strings', inline.join('; '));

  // ---- the exporter, with the keyboard only ----
  const first = await page.goto(`${url}/`);
  const csp = first.headers()['content-security-policy'] || '';
  check(/default-src 'self'/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp), `the pages are served with a strict Content-Security-Policy (${csp})`);
  await page.waitForURL(/sign-in\.html/);
  check(true, 'a visitor without a session is sent to the sign-in page');
  await main().locator('h1').waitFor();
  await screenshot('sign-in');

  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.textContent.trim()) === 'Skip to main content', 'the first Tab reaches the skip link');
  await page.keyboard.press('Enter');
  check(await focusedId() === 'main-content', 'the skip link moves focus to the main content');

  // A wrong password first: one answer that names no detail.
  await tabTo('#name');
  await page.keyboard.type('acme');
  await page.keyboard.press('Tab');
  check(await focusedId() === 'password', 'Tab moves from the account name to the password');
  await page.keyboard.type('not the password');
  await page.keyboard.press('Enter');
  await page.locator('.govuk-error-summary').waitFor();
  check(/not right/.test(await page.locator('.govuk-error-summary').innerText()), 'a wrong password shows the error summary');
  await page.locator('#password').fill('');
  await page.locator('#password').focus();
  await page.keyboard.type(password);
  await Promise.all([page.waitForURL(`${url}/`), page.keyboard.press('Enter')]);
  await main().locator('h1', { hasText: 'Your applications' }).waitFor();
  check(true, 'the exporter signs in with the keyboard and lands on their applications');

  await tabTo('main a[href="/apply.html"]');
  await Promise.all([page.waitForURL(/apply\.html/), page.keyboard.press('Enter')]);
  await main().locator('h1', { hasText: 'Start an application' }).waitFor();

  check(await page.locator('#exporter').inputValue() === 'Acme Aerospace Ltd', 'the exporter field starts with the organisation');
  await tabTo('#destination');
  await page.keyboard.type('Atlantis');
  await tabTo('#end_use');
  await page.keyboard.type('Pilot training by the Israeli Air Force');
  await tabTo('#parties-0-name');
  await page.keyboard.type('Israel Ministry of Defence');
  await tabTo('#parties-0-country');
  await page.keyboard.type('IL');
  await tabTo('#parties-0-type');
  await page.keyboard.press('ArrowDown');
  check(await page.locator('#parties-0-type').inputValue() === 'armed_forces', 'a select is changed with the arrow keys');
  await tabTo('#add-party');
  await page.keyboard.press('Enter');
  check(await focusedId() === 'parties-1-role', '“Add another party” adds a party and moves focus to it');
  await tabTo('#parties-1-name');
  await page.keyboard.type('Tzafon Avionics Ltd');
  await tabTo('#parties-1-country');
  await page.keyboard.type('Israel');
  await tabTo('#goods-0-description');
  await page.keyboard.type('Components for military training aircraft');
  await tabTo('#goods-0-rating');
  await page.keyboard.type('ML10a');
  await tabTo('#goods-0-quantity');
  await page.keyboard.type('40');
  await tabTo('#goods-0-value_gbp');
  await page.keyboard.type('125000');
  await tabTo('#add-line');
  await page.keyboard.press('Enter');
  check(await focusedId() === 'goods-1-description', '“Add another goods line” adds a line and moves focus to it');
  await page.keyboard.type('Flight simulator spare parts');
  await tabTo('#goods-1-rating');
  await page.keyboard.type('ML14');
  await tabTo('#goods-1-quantity');
  await page.keyboard.type('2');
  await tabTo('#goods-1-value_gbp');
  await page.keyboard.type('9000.50');
  await tabTo('#save');
  await page.keyboard.press('Enter');

  // The server refuses the destination: the GOV.UK error summary names it and links to the field.
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor();
  const link = summary.locator('a[href="#destination"]');
  check(await link.count() === 1 && /unknown destination 'Atlantis'/i.test(await link.innerText()),
    'a validation error from the server is in the error summary, linked to the destination field', await summary.innerText());
  check(await page.evaluate(() => document.activeElement?.closest('.govuk-error-summary') !== null), 'the error summary takes focus');
  check(await page.locator('#destination-error').isVisible(), 'the message is shown above the field too');
  check(await page.locator('#destination').evaluate((el) => el.classList.contains('govuk-input--error')
    && el.getAttribute('aria-describedby').includes('destination-error')), 'the field is marked and described by its error');
  check((await page.title()).startsWith('Error: '), 'the page title starts with “Error:”');
  await screenshot('validation-error');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.getAttribute('href')) === '#destination', 'Tab reaches the link in the error summary');
  await page.keyboard.press('Enter');
  check(await focusedId() === 'destination', 'following the link puts focus in the field');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Israel');
  await tabTo('#save');
  await Promise.all([page.waitForURL(/application\.html/), page.keyboard.press('Enter')]);
  await banner('is saved as a draft').waitFor();
  reference = (await main().locator('h1').innerText()).trim();
  check(/^GBSIEL\/\d{4}\/\d{7}\/P$/.test(reference), `the draft has a reference in the UK format (${reference})`);
  check(/Draft/.test(await page.locator('#case-status').innerText()), 'its status is Draft');
  await screenshot('draft');

  await tabTo('#event-submit');
  await page.keyboard.press('Enter');
  await banner('Your application is submitted').waitFor();
  check(/Submitted/.test(await page.locator('#case-status').innerText()), 'the exporter submits with the keyboard: status Submitted');
  await screenshot('submitted');
  await tabTo('#sign-out', 120);
  await Promise.all([page.waitForURL(/sign-in/), page.keyboard.press('Enter')]);
  check(true, 'the exporter signs out with the keyboard');

  // Screening runs at submission when the screening engine is part of the
  // server. Without it no party has a hit: one is recorded as the engine
  // records it, so that the disposition form is worked through.
  const staffView = (await api(`/api/v1/applications/${refPath()}`)).body;
  if (!staffView.screening.length) {
    const explanation = JSON.stringify({
      query_tokens: 'tzafon avionics', list_tokens: 'tzafona avionika trading', name_score: 0.86,
      parts: [{ query: 'tzafon', list: 'tzafona', similarity: 0.93, how: 'fuzzy', weight: 1.4 },
        { query: 'avionics', list: 'avionika', similarity: 0.88, how: 'phonetic', weight: 1.1 },
        { query: null, list: 'trading', similarity: 0, how: 'none', weight: 0.3 }],
      qualifiers: [{ name: 'country_mismatch', factor: 0.9, detail: 'listed address in Cyprus, party in Israel' }],
    }).replace(/'/g, "''");
    if (!/^GBSIEL\/\d{4}\/\d{7}\/P$/.test(reference)) throw new Error('unexpected reference');
    execFileSync('sqlite3', [db, `INSERT INTO screening_hit(application_id, party_no, list, list_version, entity_id, listed_name,
      matched_name, score, explanation) SELECT id, 2, 'uk-sanctions-list', '2026-11-27', 'UK-FIX-0001',
      'TZAFONA AVIONIKA TRADING LLC', 'TZAFONA AVIONIKA TRADING LLC', 0.78, '${explanation}' FROM application WHERE reference = '${reference}'`]);
  }

  // ---- the case officer ----
  await signIn('officer', '//example.org/');
  check(new URL(page.url()).origin === new URL(url).origin, 'signing in never leads to another site (?next=//example.org/)');
  check(/Work queue/.test(await main().locator('h1').innerText()), 'the case officer lands on the work queue');
  const row = main().locator('#your-work ~ div table tr', { hasText: reference });
  check(await row.count() === 1, 'the new application is waiting for the case officer');
  check(/\d{1,2} \w+ \d{4}/.test(await row.locator('td').nth(4).innerText()), 'with its service-level due date');
  check(/1 to dispose of/.test(await row.innerText()), 'and its open screening hit');
  await screenshot('work-queue');
  await Promise.all([page.waitForURL(/application\.html/), row.getByRole('link', { name: reference }).click()]);
  await main().locator('h1', { hasText: reference }).waitFor();
  await press('Start initial checks', 'initial checks have started');
  check(/Initial checks/.test(await page.locator('#case-status').innerText()), 'the case officer takes the case');

  check(/Screened on .* against demo-watchlist version 1: \d+ parties/.test(await page.locator('#screened-against').innerText()),
    'the case says which list versions its parties were screened against');
  const hit = main().locator('#screening .govuk-summary-card').first();
  await hit.locator('summary', { hasText: 'Why this name matched' }).click();
  check(await hit.getByText('How the words were matched').isVisible(), 'the screening hit explains which words matched');
  await main().locator('#screening').getByRole('button', { name: /Record disposition/ }).click();
  await page.locator('.govuk-error-summary').waitFor();
  check(await page.locator('.govuk-error-summary a').count() === 2, 'an empty disposition gets an error for each field');
  await hit.getByLabel('No, a false positive').check();
  await hit.getByLabel('Reason').fill('The listed company is registered in Cyprus (HE 123456) and trades in consumer electronics; the consignee is registered in Israel under another number.');
  await screenshot('screening-hit');
  await press(/Record disposition/, 'false positive');
  check(/False positive/.test(await main().locator('#screening').innerText()), 'the hit is disposed of as a false positive, with its reason');

  await main().getByLabel('Ask the exporter for information').fill('Please send the end-user undertaking signed by the Israel Ministry of Defence.');
  await press('Send request', 'request for information is sent');
  await main().locator('#note-form').getByLabel('Add a note').fill('Internal: consignee checked against the Israeli companies register.');
  await press('Add note', 'Your note is added');
  await press('Send to technical assessment', 'sent for technical assessment');
  check(/Technical assessment/.test(await page.locator('#case-status').innerText()), 'the goods go to technical assessment');
  await screenshot('case-officer');
  await signOut();

  // ---- the exporter answers the request for information ----
  await signIn('acme');
  await openCase();
  check(/asked you for information/.test(await mainText()), 'the exporter is told that information is asked for');
  await main().getByLabel('Your answer to request 1').fill('The signed end-user undertaking (EUU-2026-114) is attached to our covering letter of today.');
  await screenshot('exporter-request');
  await press('Send answer', 'Your answer is sent');
  const exporterMidway = await mainText();
  check(!/consignee checked against/.test(exporterMidway), 'the exporter does not see the internal note');
  check(!/TZAFONA|false positive/i.test(exporterMidway), 'nor the screening hit and its disposition');
  await signOut();

  // ---- the technical assessor ----
  await signIn('tau');
  const tauRow = main().locator('#your-work ~ div table tr', { hasText: reference });
  check(await tauRow.count() === 1, 'the application waits for the technical assessor');
  await Promise.all([page.waitForURL(/application\.html/), tauRow.getByRole('link', { name: reference }).click()]);
  await main().locator('h1', { hasText: reference }).waitFor();
  await page.locator('#rating-1-report_summary').fill('components for military training aircraft');
  await press('Confirm rating of line 1', 'Line 1 is rated');
  await page.locator('#rating-2-rating').fill('ZZ999');
  await main().getByRole('button', { name: 'Confirm rating of line 2' }).click();
  await page.locator('.govuk-error-summary a[href="#rating-2-rating"]').waitFor();
  check(/not in the control list/.test(await page.locator('#rating-2-rating-error').innerText()), 'an unknown rating is refused on its field');
  await page.locator('#rating-2-rating').fill('ML14');
  await page.locator('#rating-2-report_summary').fill('flight simulator parts');
  await press('Confirm rating of line 2', 'Line 2 is rated');
  await screenshot('technical-assessment');
  await press('Complete technical assessment', 'technical assessment is complete');
  check(/Under advice/.test(await page.locator('#case-status').innerText()), 'the case goes to the advisers');
  await signOut();

  // ---- the advisers: the FCDO advises, then revises; the MOD advises ----
  await signIn('fcdo');
  await openCase();
  await main().locator('#advice-form').getByLabel('Approve', { exact: true }).check();
  await main().locator('#advice-form').getByLabel('Advice', { exact: true }).fill('Consistent with the criteria: training aircraft have no combat capability of their own.');
  await press('Give advice', 'advice is recorded');
  await page.locator('#advice-revise summary').click();
  await main().locator('#advice-form').getByLabel('Approve with provisos').check();
  await main().locator('#advice-form').getByLabel('Provisos', { exact: true }).fill('For pilot training only: no installation in combat aircraft.');
  await main().locator('#advice-form').getByLabel('Advice', { exact: true }).fill('Approve with a proviso on end use, given the evidence on the conduct of hostilities (Criterion 2c referred).');
  await main().locator('#advice-form').getByLabel('Why this revision replaces the last').fill('New evidence on the record (UN Commission of Inquiry).');
  await press('Record the new revision', 'advice is revised');
  const fcdoCard = main().locator('#advice-fcdo');
  check(/Approve with provisos/.test(await fcdoCard.innerText()) && await fcdoCard.getByText('Earlier revisions (1)').count() === 1,
    'the new revision is current and the earlier one kept in the history');
  await fcdoCard.getByText('Earlier revisions (1)').click();
  await screenshot('advice-history');
  await signOut();
  await signIn('mod');
  await openCase();
  await main().locator('#advice-form').getByLabel('Approve', { exact: true }).check();
  await main().locator('#advice-form').getByLabel('Advice', { exact: true }).fill('No objection from the Ministry of Defence.');
  await press('Give advice', 'advice is recorded');
  await signOut();

  // ---- the case officer consolidates ----
  await signIn('officer');
  await openCase();
  await press('Consolidate advice for a decision', 'advice is consolidated');
  check(/Final review/.test(await page.locator('#case-status').innerText()), 'the case is in final review');
  await signOut();

  // ---- the countersigner ----
  await signIn('signer');
  await openCase();
  for (const team of ['FCDO', 'MOD']) {
    const form = main().locator('form', { has: page.getByRole('button', { name: `Countersign ${team} advice` }) });
    await form.getByLabel('Accept the advice').check();
    await form.getByLabel('Reasons').fill(team === 'FCDO' ? 'The proviso is proportionate to the evidence cited.' : 'Agreed.');
    if (team === 'FCDO') await screenshot('countersign');
    await press(`Countersign ${team} advice`, `accepted the ${team} advice`);
  }
  check(/2 of 2 current advice revisions countersigned/.test(await main().locator('#progress').innerText()), 'both teams’ advice is countersigned');
  await signOut();

  // ---- the decision maker ----
  await signIn('dm');
  const dmRow = main().locator('#your-work ~ div table tr', { hasText: reference });
  check(await dmRow.count() === 1, 'the application waits for the decision maker');
  await openCase();
  check(!(await main().locator('#decision-form .govuk-warning-text').count()), 'nothing blocks the decision');
  check(/recommends: Refer \(criteria engaged: 2c/.test(await main().locator('#decision-form').innerText()),
    'the decision form recalls the assessment: refer under 2c, the evidence of IHL violations against goods of no combat capability');
  await main().locator('#decision-form').getByLabel('Issue the licence').check();
  await main().locator('#decision-form').getByLabel('Reason for the decision').fill('Advice accepted; the proviso on end use applies.');
  await press('Record the decision', 'The licence is issued');
  check(/Licence issued/.test(await page.locator('#case-status').innerText()), 'the licence is issued');
  check(await main().locator('#details').getByRole('link', { name: reference }).count() === 1, 'the case links to its licence');
  await screenshot('decision');
  await page.setViewportSize({ width: 375, height: 800 });
  await openCase();
  check(await page.locator('.govuk-service-navigation__toggle').isVisible(), 'on a phone the navigation folds into a menu button');
  await screenshot('decision-on-a-phone');
  await page.setViewportSize({ width: 1100, height: 900 });
  const decided = (await api(`/api/v1/applications/${refPath()}`)).body;
  check(decided.outcome === 'issued' && decided.licence === reference, 'the API agrees: outcome issued, licence in the register');

  // The licence register: searched when the server offers it.
  await page.goto(`${url}/licences.html`);
  await main().locator('h1', { hasText: 'Licences' }).waitFor();
  if (available.has('/api/v1/licences')) {
    await page.getByLabel('Destination').fill('Israel');
    await Promise.all([page.waitForURL(/destination=Israel/), main().getByRole('button', { name: 'Search licences' }).click()]);
    await page.locator('#results-heading').waitFor();
    const licenceLink = main().locator('#results').getByRole('link', { name: reference });
    check(await licenceLink.count() === 1, 'a search of the register by destination finds the licence');
    await screenshot('licence-search');
    await Promise.all([page.waitForURL(/licence\.html/), licenceLink.click()]);
    await main().locator('h1', { hasText: reference }).waitFor();
    check(/Issued/.test(await page.locator('#licence-status').innerText()), 'the licence page shows it issued');
    await screenshot('licence');
  } else {
    check(/not available on this server yet/.test(await mainText()), 'without the licence routes the register page says it is not available');
    await screenshot('licences-not-available');
  }
  await signOut();

  // ---- the exporter sees the outcome and nothing internal ----
  await signIn('acme');
  await openCase();
  await main().locator('.govuk-panel', { hasText: 'Licence issued' }).waitFor();
  const exporterEnd = await mainText();
  for (const [text, what] of [
    ['Consistent with the criteria', 'the FCDO’s first advice'], ['no installation in combat aircraft', 'the FCDO’s proviso'],
    ['No objection from the Ministry', 'the MOD advice'], ['proportionate to the evidence', 'the countersigner’s reasons'],
    ['consignee checked against', 'the internal note'], ['TZAFONA', 'the screening hit'],
    ['Assessment against the criteria', 'the assessment'], ['EV-0001', 'the evidence'], ['Countersign', 'countersigning'],
  ]) {
    check(!exporterEnd.includes(text), `the exporter never sees ${what}`);
  }
  check(!(await main().locator('#advice, #screening, #assessment').count()), 'the exporter’s page has no advice, screening or assessment section');
  check(/EUU-2026-114/.test(exporterEnd), 'but sees their own answer to the request for information');
  await screenshot('exporter-outcome');

  // The refused application: its criteria, and an appeal.
  await page.goto(`${url}/application.html?ref=${refused.replace(/\//g, '-')}`);
  await main().locator('h1', { hasText: refused }).waitFor();
  const refusal = await main().locator('#outcome').innerText();
  check(/refused/.test(refusal) && /Criterion 2c: Clear risk of use to commit or facilitate a serious violation of IHL/.test(refusal)
    && /You can appeal until \d{1,2} \w+ \d{4}/.test(refusal), 'a refused exporter sees the criteria and until when to appeal');
  check(!/Clear risk of use in ground targeting|Clear risk under Criterion 2c\./.test(await mainText()), 'but not the internal advice or the decision maker’s reason');
  await main().locator('#appeal-form').getByLabel('Grounds for your appeal').fill('The pods are for training ranges in the Negev only; the end-user undertaking says so.');
  await screenshot('exporter-refused');
  await press('Lodge appeal', 'Your appeal is lodged');
  check(/Under appeal/.test(await page.locator('#case-status').innerText()), 'the exporter lodges an appeal');
  await signOut();
  await signIn('dm');
  await page.goto(`${url}/application.html?ref=${refused.replace(/\//g, '-')}`);
  await main().locator('h1', { hasText: refused }).waitFor();
  check(/training ranges in the Negev/.test(await main().locator('#decision').innerText()), 'the decision maker reads the grounds of the appeal');
  await main().locator('#appeal-decision-form').getByLabel(/Dismiss the appeal/).check();
  await main().locator('#appeal-decision-form').getByLabel(/^2c:/).check();
  await main().locator('#appeal-decision-form').getByLabel('Reason').fill('The undertaking does not exclude use in operations; the clear risk stands.');
  await press('Record the appeal decision', 'The appeal is dismissed');
  check(/Refused/.test(await page.locator('#case-status').innerText()), 'the appeal is dismissed: the refusal stands');
  await signOut();

  // ---- other pages: they work, or say they are not available ----
  await signIn('auditor1');
  await page.goto(`${url}/audit.html`);
  await main().locator('h1', { hasText: 'Audit log' }).waitFor();
  if (available.has('/api/v1/audit/head') && available.has('/api/v1/audit/proof')) {
    const key = JSON.parse(execFileSync(bin, ['audit', 'key', '--json', '--db', db])).public_key;
    await page.getByLabel('Entry number').fill('0');
    await page.locator('#verify-entry').getByLabel(/public key/).fill(key);
    await main().getByRole('button', { name: 'Verify entry' }).click();
    await banner('every check passed').waitFor();
    check(true, 'the auditor verifies an entry in the browser with the published key');
  } else {
    check(/not available on this server yet/.test(await mainText()), 'without the audit routes the audit page says it is not available');
  }
  await screenshot('audit');
  await signOut();

  await signIn('officer');
  for (const [path, title, name] of [['/reviews.html', 'Reviews of extant licences', 'reviews'], ['/concerns.html', 'Formal concerns', 'concerns']]) {
    await page.goto(`${url}${path}`);
    await main().locator('h1', { hasText: title }).waitFor();
    check(true, `the ${name} page opens`);
    await screenshot(name);
  }
  await signOut();
} catch (error) {
  check(false, 'the walk through the pages went to the end', error.stack || String(error));
  await screenshot('failure').catch(() => {});
} finally {
  check(scriptErrors.length === 0, 'no script error on any page', scriptErrors.join('\n    '));
  if (accessibilityAvailable()) {
    check(accessibility.length === 0, `axe-core finds no WCAG 2.1 A or AA problem on the ${CHECKED.size} kinds of page`, accessibility.join('\n    '));
  } else {
    console.log('SKIP accessibility: web/node_modules/axe-core is missing (make web-assets)');
  }
  await context.close();
}

console.log(`${checks} checks, ${failures} failed, ${shot} screenshots in ${out} (${Math.round((Date.now() - started) / 1000)} s, `
  + `of which screenshots ${Math.round(spent.screenshots / 1000)} s, accessibility checks ${Math.round(spent.accessibility / 1000)} s)`);
process.exit(failures ? 1 : 0);
