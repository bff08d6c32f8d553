// What the browser tests share: Chromium started the same way, and the
// accessibility check (axe-core, WCAG 2.1 A and AA) of the page shown.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const AXE = new URL('../../web/node_modules/axe-core/axe.min.js', import.meta.url);

/** Headless Chromium over a fresh profile, a page, and the list that collects script errors. */
export async function launch({ chromiumPath, profile }) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
  });
  context.setDefaultTimeout(15000);
  const page = context.pages()[0] || await context.newPage();
  // Any script error, and any console error other than an expected failed
  // request (a 401 before signing in, a 409 or 422 the page shows), is a failure.
  const scriptErrors = [];
  page.on('pageerror', (e) => scriptErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|409|422)/.test(m.text())) {
      scriptErrors.push(`${page.url()}: ${m.text()}`);
    }
  });
  return { context, page, scriptErrors };
}

export const accessibilityAvailable = () => existsSync(AXE);

/**
 * The WCAG 2.1 A and AA problems axe-core finds on the page, as lines
 * "rule: selector" (empty when there are none). axe is evaluated through
 * the DevTools protocol, which the page's Content-Security-Policy does not
 * govern: the page itself still runs no inline script.
 */
export async function accessibilityProblems(page) {
  if (!accessibilityAvailable()) return [];
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(`${readFileSync(AXE, 'utf8')}\n;undefined`);
  }
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}
