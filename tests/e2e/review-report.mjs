// Opens a review's HTML report in Chromium, checks that the headline
// figures and the impact chart are visible, and saves a screenshot.
//
//   node tests/e2e/review-report.mjs REPORT.html SCREENSHOT.png [ACTION=COUNT ...]
//
// The report is checked twice: as a file on its own (it must read well
// without the GOV.UK stylesheet), and served over HTTP next to
// web/govuk/govuk-frontend.min.css, as `penholder serve` serves it; the
// screenshot is of the served page. Uses playwright-core from
// web/node_modules (installed by `make web-assets`) and the system Chromium
// ($PENHOLDER_CHROMIUM, default /usr/bin/chromium). Exits 1 on a failed check.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [reportPath, screenshotPath, ...expectations] = process.argv.slice(2);
if (!reportPath || !screenshotPath) {
  console.error('usage: node tests/e2e/review-report.mjs REPORT.html SCREENSHOT.png [ACTION=COUNT ...]');
  process.exit(2);
}
const { chromium } = await import(pathToFileURL(join(root, 'web/node_modules/playwright-core/index.mjs')).href);

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}`);
  if (!ok) failures++;
}

const expected = expectations.map((e) => {
  const [action, count] = e.split('=');
  return { action, count };
});

async function checkPage(page, label) {
  const title = page.locator('h1.govuk-heading-xl');
  check(await title.isVisible(), `${label}: the title is visible`);
  for (const { action, count } of expected) {
    const figure = page.locator(`#figure-${action} .review-figure__number`);
    const visible = await figure.isVisible();
    const text = visible ? (await figure.innerText()).trim() : '';
    check(visible && text === count, `${label}: headline ${action} shows ${count} (got '${text}')`);
  }
  const chart = page.locator('#chart-actions');
  check(await chart.isVisible(), `${label}: the impact chart is visible`);
  const box = await chart.boundingBox();
  check(box && box.width > 300 && box.height > 100, `${label}: the chart has a readable size`);
  const bars = await page.locator('#chart-actions rect').count();
  check(bars >= expected.length, `${label}: the chart draws a bar per action (${bars})`);
  const weight = await title.evaluate((el) => getComputedStyle(el).fontWeight);
  check(Number(weight) >= 700 || weight === 'bold', `${label}: headings are styled (font-weight ${weight})`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  check(wide, `${label}: nothing overflows the page sideways`);
}

const browser = await chromium.launch({
  executablePath: process.env.PENHOLDER_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--no-first-run', '--disable-sync'],
});
const server = createServer((req, res) => {
  const css = join(root, 'web/govuk/govuk-frontend.min.css');
  if (req.url === '/report.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(readFileSync(reportPath));
  } else if (req.url === '/govuk/govuk-frontend.min.css' && existsSync(css)) {
    res.writeHead(200, { 'Content-Type': 'text/css' });
    res.end(readFileSync(css));
  } else {
    res.writeHead(404);
    res.end();
  }
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(pathToFileURL(resolve(reportPath)).href);
  await checkPage(page, 'as a file');

  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/report.html`;
  const styled = await page.goto(url);
  check(styled && styled.ok(), 'served over HTTP');
  await page.waitForLoadState('load', { timeout: 90000 });
  const govuk = await page.evaluate(() =>
    [...document.styleSheets].some((s) => (s.href || '').includes('govuk-frontend.min.css') && s.cssRules.length > 0));
  if (existsSync(join(root, 'web/govuk/govuk-frontend.min.css'))) check(govuk, 'the GOV.UK stylesheet is applied');
  await checkPage(page, 'served');
  await page.screenshot({ path: screenshotPath });
  console.log(`screenshot: ${screenshotPath}`);
  check(errors.length === 0, `no script errors (${errors.join('; ')})`);
} finally {
  server.close();
  await browser.close();
}
console.log(failures ? `${failures} checks failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
