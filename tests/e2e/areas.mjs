// The pages whose API routes are not in this server yet — the licence
// register, the audit log, reviews and formal concerns — worked against
// those routes as their issues specify them, answered in the browser with
// what the command line says (licences show, audit head and proof): the
// pages draw, their forms check their input, and the audit page really
// verifies proofs (and catches a tampered one). An area whose routes the
// server does offer is left to flow.mjs and the real server, but for formal
// concerns, worked here against the real server: raised from a case, then
// acknowledged and answered by a nominated officer with the three parts of
// a substantive response (what was decided, what was done or not done, why).
//
// usage: node areas.mjs --url URL --db DB --out DIR --profile DIR --chromium PATH --password P --bin PENHOLDER
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { accessibilityProblems, launch } from './lib.mjs';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const { url, db, out, profile, password, bin } = args;

let checks = 0;
let failures = 0;
function check(ok, what, detail = '') {
  checks += 1;
  if (!ok) failures += 1;
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}${!ok && detail ? `: ${detail}` : ''}`);
  return ok;
}
const cli = (...a) => JSON.parse(execFileSync(bin, [...a, '--db', db], { encoding: 'utf8' }));

const { context, page, scriptErrors } = await launch({ chromiumPath: args.chromium, profile });
const accessibility = [];
const main = () => page.locator('#main-content');
const banner = (text) => page.locator('.app-banner-slot .govuk-notification-banner__heading', { hasText: text });
async function screenshot(name) {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  if (name !== 'area-failure') accessibility.push(...(await accessibilityProblems(page)).map((p) => `${name}: ${p}`));
}
async function signIn(name) {
  await context.clearCookies();
  await page.goto(`${url}/sign-in.html`);
  await page.getByLabel('Account name').fill(name);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.getByRole('button', { name: 'Sign in' }).click()]);
  await main().locator('h1').first().waitFor();
}

// ---- the routes, answered here ----
const realRoutes = await (await fetch(`${url}/api/v1/openapi.yaml`)).text();
const offered = (path) => new RegExp(`^  ${path.replace(/[{}]/g, '\\$&')}:\\s*$`, 'm').test(realRoutes);
const added = []; // [pattern, methods, handler(request, match) -> {status, body}]
function emulate(pattern, methods, handler) {
  added.push({ pattern, methods, regex: new RegExp(`^${pattern.replace(/\{[^}]+\}/g, '([^/]+)')}$`), handler });
}
await page.route((u) => u.pathname === '/api/v1/openapi.yaml', async (route) => {
  const real = await (await route.fetch()).text();
  const extra = added.map((r) => `  ${r.pattern}:\n${r.methods.map((m) => `    ${m.toLowerCase()}:\n      summary: emulated\n`).join('')}`).join('');
  await route.fulfill({ status: 200, contentType: 'application/yaml', body: real.replace(/^paths:\n/m, `paths:\n${extra}`) });
});
await page.route((u) => u.pathname.startsWith('/api/v1/') && added.some((r) => r.regex.test(u.pathname)), async (route) => {
  const request = route.request();
  const path = new URL(request.url()).pathname;
  const r = added.find((x) => x.regex.test(path) && x.methods.includes(request.method()));
  if (!r) {
    await route.fulfill({ status: 405, contentType: 'application/problem+json', body: JSON.stringify({ status: 405, detail: 'method' }) });
    return;
  }
  const match = path.match(r.regex).slice(1).map(decodeURIComponent);
  const res = await r.handler(request, match);
  await route.fulfill({ status: res.status ?? 200, contentType: res.status >= 400 ? 'application/problem+json' : 'application/json',
    body: JSON.stringify(res.body) });
});
const problem = (status, detail, errors) => ({ status, body: { type: 'urn:penholder:problem:validation', title: 'Invalid request content', status, detail, errors } });

try {
  const licences = cli('licences', 'list', '--json');
  const issued = licences.find((l) => l.status === 'issued');
  check(Boolean(issued), 'the register holds the licence issued through the pages');
  const reference = issued.reference;

  // ---- the licence register ----
  if (!offered('/api/v1/licences')) {
    const history = [];
    let status = 'issued';
    const show = () => ({ ...cli('licences', 'show', reference, '--json'), status, history });
    emulate('/api/v1/licences', ['GET'], (req) => {
      const q = new URL(req.url()).searchParams;
      const list = licences.filter((l) => !q.get('destination') || /israel|^il$/i.test(q.get('destination')) === (l.destination === 'IL'));
      return { body: { total: list.length, limit: 50, offset: 0, licences: list.map((l) => ({ ...l, status })) } };
    });
    emulate('/api/v1/licences/{ref}', ['GET'], (req, [ref]) => (ref.replace(/-/g, '/') === reference ? { body: show() }
      : { status: 404, body: { status: 404, detail: `no licence ${ref}` } }));
    emulate('/api/v1/licences/{ref}/suspend', ['POST'], (req) => {
      const b = req.postDataJSON();
      if (!b.reason) return problem(422, 'reason: required', [{ path: 'reason', detail: 'required' }]);
      history.push({ event: 'suspend', from_status: status, to_status: 'suspended', reason: b.reason, criteria: b.criteria, actor: 'dm', changed_at: new Date().toISOString().slice(0, 19) + 'Z' });
      status = 'suspended';
      return { body: { reference, event: 'suspend', from: 'issued', to: 'suspended' } };
    });
    emulate('/api/v1/licences/{ref}/reinstate', ['POST'], () => ({ status: 409, body: { status: 409, detail: 'not suspended' } }));
    emulate('/api/v1/licences/{ref}/revoke', ['POST'], () => ({ status: 409, body: { status: 409, detail: 'not now' } }));

    await signIn('dm');
    await page.goto(`${url}/licences.html`);
    await page.getByLabel('Destination').fill('Israel');
    await page.locator('#from-day').fill('31');
    await page.locator('#from-month').fill('2');
    await page.locator('#from-year').fill('2026');
    await main().getByRole('button', { name: 'Search licences' }).click();
    await page.locator('.govuk-error-summary a[href="#from-day"]').waitFor();
    check(true, 'licence search: an impossible date is refused on its field');
    await page.locator('#from-day').fill('1');
    await Promise.all([page.waitForURL(/from=2026-02-01/), main().getByRole('button', { name: 'Search licences' }).click()]);
    await page.locator('#results-heading').waitFor();
    check(await main().locator('#results').getByRole('link', { name: reference }).count() === 1, 'licence search: the issued licence is found by destination');
    check(await page.locator('#destination').inputValue() === 'Israel' && await page.locator('#from-year').inputValue() === '2026',
      'licence search: the filters stay filled in');
    await screenshot('area-licence-search');
    await Promise.all([page.waitForURL(/licence\.html/), main().getByRole('link', { name: reference }).click()]);
    await main().locator('h1', { hasText: reference }).waitFor();
    check(/Issued/.test(await page.locator('#licence-status').innerText()), 'licence page: status issued, with its goods lines');
    check(await main().locator('details', { hasText: 'Suspend licence' }).count() === 1 && await main().locator('details', { hasText: 'Revoke licence' }).count() === 1,
      'licence page: a decision maker may suspend or revoke an issued licence');
    await main().locator('summary', { hasText: 'Suspend licence' }).click();
    await main().locator('#suspend-form').getByRole('button', { name: 'Suspend licence' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    check(await page.locator('.govuk-error-summary a').count() === 2, 'licence page: a suspension needs a reason and criteria');
    await page.locator('#suspend-reason').fill('Review 1 under Criterion 2c: components for combat aircraft used in Gaza.');
    await main().locator('#suspend-form').getByLabel(/^2c:/).check();
    await main().locator('#suspend-form').getByRole('button', { name: 'Suspend licence' }).click();
    await banner('The licence is suspended').waitFor();
    check(/Suspended/.test(await page.locator('#licence-status').innerText()) && /Criterion 2c|2c/.test(await main().innerText()),
      'licence page: the suspension is shown with its reason in the history');
    check(await main().locator('details', { hasText: 'Reinstate licence' }).count() === 1, 'licence page: a suspended licence can be reinstated');
    await screenshot('area-licence');
  } else {
    check(true, 'licence register: the server offers it (tested by flow.mjs)');
  }

  // ---- the audit log ----
  if (!offered('/api/v1/audit/head')) {
    let tamper = false;
    emulate('/api/v1/audit/head', ['GET'], () => ({ body: cli('audit', 'head', '--json') }));
    emulate('/api/v1/audit/proof', ['GET'], (req) => {
      const proof = cli('audit', 'proof', '--index', new URL(req.url()).searchParams.get('index'), '--json');
      if (tamper) proof.path[0] = (proof.path[0][0] === '0' ? '1' : '0') + proof.path[0].slice(1);
      return { body: proof };
    });
    emulate('/api/v1/audit/consistency', ['GET'], (req) => {
      const q = new URL(req.url()).searchParams;
      return { body: cli('audit', 'proof', '--from', q.get('from'), '--to', q.get('to'), '--json') };
    });
    const key = cli('audit', 'key', '--json').public_key;
    const kept = cli('audit', 'proof', '--from', '4', '--to', '5', '--json').first_tree_head;
    await signIn('auditor1');
    await page.goto(`${url}/audit.html`);
    await main().locator('h1', { hasText: 'Audit log' }).waitFor();
    await page.locator('#entry-index').fill('5');
    await page.locator('#entry-key').fill(key);
    await main().getByRole('button', { name: 'Verify entry' }).click();
    await banner('Entry 5: every check passed').waitFor();
    check(await main().locator('#audit-results').getByText('Passed').count() === 3, 'audit: entry 5 is proven in the browser, and its tree head signature checked with the published key');
    await screenshot('area-audit');
    tamper = true;
    await main().getByRole('button', { name: 'Verify entry' }).click();
    await banner('a check failed').waitFor();
    check(await main().locator('#audit-results').getByText('Failed').count() >= 1, 'audit: a tampered proof is caught');
    tamper = false;
    await page.locator('#growth-kept').fill(JSON.stringify(kept));
    await page.locator('#growth-key').fill(key);
    await main().getByRole('button', { name: 'Check', exact: true }).click();
    await banner('every check passed').waitFor();
    check(/extends the log of 4/.test(await main().locator('#audit-results').innerText()), 'audit: the log only grew since a tree head kept earlier');
    await page.locator('#growth-key').fill('not a key');
    await main().getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('.govuk-error-summary a[href="#growth-key"]').waitFor();
    check(true, 'audit: a malformed public key is refused on its field');
  } else {
    check(true, 'audit log: the server offers it (tested by flow.mjs)');
  }

  // ---- reviews ----
  if (!offered('/api/v1/reviews')) {
    const review = { id: 1, title: 'Israel: compliance with IHL, September 2024', reason: 'Clear risk under Criterion 2c for items used in military operations in Gaza.',
      criteria: ['2c'], evidence: ['EV-0001'], status: 'created', created_by: 'officer', created_at: '2026-11-29T10:00:00Z',
      scope: { destinations: ['IL'], statuses: ['issued', 'reinstated'], ratings: [], end_user_types: [] },
      exceptions: [{ select: { tags: ['f35-global-programme'], references: [] }, reason: 'Components for the global F-35 programme', authority: 'HCWS64' }] };
    let created = null;
    emulate('/api/v1/reviews', ['GET', 'POST'], (req) => {
      if (req.method() === 'POST') { created = req.postDataJSON(); return { status: 201, body: { ...review, ...created, id: 2 } }; }
      return { body: { reviews: [review] } };
    });
    emulate('/api/v1/reviews/{id}', ['GET'], (req, [id]) => ({ body: id === '2' && created ? { ...review, ...created, id: 2 } : review }));
    emulate('/api/v1/reviews/{id}/run', ['POST'], () => ({ body: { review: 1, summary: { suspend: 1, refer: 0, continue: 0, exception: 0 },
      licences: [{ reference, action: 'suspend', criteria: ['2c'], reason: 'Components for combat aircraft: clear risk under 2c.' }] } }));
    emulate('/api/v1/reviews/{id}/approve', ['POST'], () => { review.status = 'approved'; return { body: review }; });
    emulate('/api/v1/reviews/{id}/apply', ['POST'], () => { review.status = 'applied'; return { body: review }; });
    await signIn('dm');
    await page.goto(`${url}/reviews.html`);
    await main().locator('h1', { hasText: 'Reviews of extant licences' }).waitFor();
    await main().getByRole('button', { name: 'Create review' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    check(await page.locator('.govuk-error-summary a').count() === 4, 'reviews: a review needs a title, a reason, criteria and a destination');
    await page.locator('#review-title').fill('Israel: compliance with IHL');
    await page.locator('#review-reason').fill('New evidence on the conduct of hostilities.');
    await main().locator('#review-form').getByLabel(/^2c:/).check();
    await page.locator('#review-scope-destinations').fill('IL');
    await page.locator('#review-exceptions-0-tags').fill('f35-global-programme');
    await page.locator('#review-exceptions-0-reason').fill('The global F-35 programme');
    await page.locator('#review-exceptions-0-authority').fill('HCWS64');
    await Promise.all([page.waitForURL(/review\.html\?id=2/), main().getByRole('button', { name: 'Create review' }).click()]);
    check(created && created.scope.destinations[0] === 'IL' && created.exceptions[0].select.tags[0] === 'f35-global-programme'
      && created.scope.statuses.join() === 'issued,reinstated', 'reviews: the form sends the review JSON of the issue (scope, exceptions)', JSON.stringify(created));
    await page.goto(`${url}/review.html?id=1`);
    await main().getByRole('button', { name: 'Run the review (dry run)' }).click();
    await banner('The dry run is done').waitFor();
    check(await main().locator('#run').getByRole('link', { name: reference }).count() === 1, 'reviews: the dry run lists each licence with its action and reason');
    await main().getByRole('button', { name: 'Approve the review' }).click();
    await banner('The review is approved').waitFor();
    check(await main().getByRole('button', { name: 'Apply the review' }).count() === 1, 'reviews: once approved it can be applied');
    await screenshot('area-review');
  } else {
    check(true, 'reviews: the server offers them');
  }

  // ---- formal concerns ----
  if (!offered('/api/v1/concerns')) {
    let concern = null;
    emulate('/api/v1/concerns', ['GET', 'POST'], (req) => {
      if (req.method() === 'POST') {
        const b = req.postDataJSON();
        concern = { id: 'C-0001', ...b, status: 'raised', reporter: 'officer', raised_at: '2026-11-29T12:00:00Z', acknowledge_by: '2026-12-06', messages: [] };
        return { status: 201, body: concern };
      }
      return { body: { concerns: concern ? [concern] : [] } };
    });
    emulate('/api/v1/concerns/{id}', ['GET'], () => ({ body: concern }));
    emulate('/api/v1/concerns/{id}/messages', ['POST'], (req) => {
      concern.messages.push({ author: 'officer', text: req.postDataJSON().text, at: '2026-11-29T12:05:00Z' });
      return { status: 201, body: concern };
    });
    emulate('/api/v1/concerns/{id}/escalate', ['POST'], (req) => {
      concern.status = 'escalated';
      concern.messages.push({ event: 'escalate', author: 'officer', text: req.postDataJSON().reason, at: '2026-11-29T12:06:00Z' });
      return { body: concern };
    });
    await signIn('officer');
    await page.goto(`${url}/application.html?ref=${reference.replace(/\//g, '-')}`);
    await main().getByRole('link', { name: 'Raise a formal concern about this application' }).click();
    await page.waitForURL(/concerns\.html/);
    check(await page.locator('#concern-about').inputValue() === `case:${reference}`, 'concerns: raised from a case, the concern is about that case');
    await main().locator('#concern-form').getByLabel('Legal risk').check();
    await page.locator('#concern-text').fill('The evidence on the conduct of hostilities engages Criterion 2c for these components.');
    await Promise.all([page.waitForURL(/concern\.html/), main().getByRole('button', { name: 'Raise concern' }).click()]);
    await main().locator('h1', { hasText: 'Concern C-0001' }).waitFor();
    await page.locator('#message-text').fill('Further evidence: the report of 12 June 2024.');
    await main().getByRole('button', { name: 'Send message' }).click();
    await banner('Your message is added').waitFor();
    check(/report of 12 June/.test(await main().innerText()), 'concerns: a message is added to the thread');
    check(await main().getByRole('button', { name: 'Acknowledge' }).count() === 0, 'concerns: only a nominated officer acknowledges');
    await screenshot('area-concern');
  } else {
    const DECISION = 'The licence stands: the trainer components are not refused under Criterion 2c.';
    const ACTIONS = 'The assessment was re-run on the report of 12 June 2024; the advice was not changed.';
    const REASONS = 'The report concerns strike aircraft; these components fit trainers with no weapons role.';
    await signIn('officer');
    await page.goto(`${url}/application.html?ref=${reference.replace(/\//g, '-')}`);
    await main().getByRole('link', { name: 'Raise a formal concern about this application' }).click();
    await page.waitForURL(/concerns\.html/);
    check(await page.locator('#concern-about').inputValue() === `case:${reference}`, 'concerns: raised from a case, the concern is about that case');
    await main().locator('#concern-form').getByLabel('Legal risk').check();
    await page.locator('#concern-text').fill('The evidence on the conduct of hostilities engages Criterion 2c for these components.');
    await Promise.all([page.waitForURL(/concern\.html/), main().getByRole('button', { name: 'Raise concern' }).click()]);
    await main().locator('h1', { hasText: /^Concern \d+$/ }).waitFor();
    const id = new URL(page.url()).searchParams.get('id');
    check(/Raised/.test(await main().locator('.app-tags').first().innerText()), 'concerns: the page shows the state the server gives');
    check(await main().getByRole('button', { name: 'Respond' }).count() === 0, 'concerns: the reporter cannot respond');
    await signIn('no1');
    await page.goto(`${url}/concern.html?id=${encodeURIComponent(id)}`);
    await main().getByRole('button', { name: 'Acknowledge' }).click();
    await banner('Acknowledge: done').waitFor();
    const form = main().locator('#respond-form');
    await form.getByLabel('Not upheld', { exact: true }).check();
    await page.locator('#respond-decision').fill('Noted.');
    await page.locator('#respond-actions').fill(ACTIONS);
    await page.locator('#respond-reasons').fill(REASONS);
    await form.getByRole('button', { name: 'Respond' }).click();
    await page.locator('#respond-decision-error').waitFor();
    check(/does not say what was decided/.test(await page.locator('#respond-decision-error').innerText()),
      'concerns: a decision that only notes is refused by the server on its field');
    await page.locator('#respond-decision').fill(DECISION);
    await form.getByRole('button', { name: 'Respond' }).click();
    await banner('Respond: done').waitFor();
    const shown = await main().locator('#concern-response').innerText();
    check(shown.includes(DECISION) && shown.includes(ACTIONS) && shown.includes(REASONS) && /not upheld/i.test(shown),
      'concerns: the page shows what was decided, what was done or not done, and why', shown);
    const stored = cli('concern', 'show', id, '--actor', 'auditor1', '--json').response;
    check(stored && stored.decision === DECISION && stored.actions === ACTIONS && stored.reasons === REASONS && stored.by === 'no1',
      'concerns: the three parts sent by the form are on the record', JSON.stringify(stored));
    await screenshot('area-concern');
    // The nominated officer sees the anonymised statistics, small counts suppressed.
    await page.goto(`${url}/concerns.html`);
    await main().getByRole('heading', { name: 'Statistics' }).waitFor();
    const statsText = await main().locator('table').last().innerText();
    check(/<3/.test(statsText) && !/suppressed/.test(statsText), 'concerns: the statistics show suppressed counts as <3', statsText.slice(0, 200));
  }
} catch (error) {
  check(false, 'the pages of the areas still to come work against their routes', error.stack || String(error));
  await screenshot('area-failure').catch(() => {});
} finally {
  check(scriptErrors.length === 0, 'no script error on the pages of the areas still to come', scriptErrors.join('\n    '));
  check(accessibility.length === 0, 'axe-core finds no WCAG 2.1 A or AA problem on them', accessibility.join('\n    '));
  await context.close();
}
console.log(`${checks} checks, ${failures} failed`);
process.exit(failures ? 1 : 0);
