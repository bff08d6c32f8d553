// The one script every page loads: it picks the page's module from
// <body data-page="...">. Each area of the service is its own module.
const PAGES = {
  home: () => import('./home.js').then((m) => m.homePage()),
  'sign-in': () => import('./sign-in.js').then((m) => m.signInPage()),
  apply: () => import('./apply.js').then((m) => m.applyPage()),
  application: () => import('./application.js').then((m) => m.applicationPage()),
  licences: () => import('./licences.js').then((m) => m.licencesPage()),
  licence: () => import('./licences.js').then((m) => m.licencePage()),
  audit: () => import('./audit.js').then((m) => m.auditPage()),
  reviews: () => import('./reviews.js').then((m) => m.reviewsPage()),
  review: () => import('./reviews.js').then((m) => m.reviewPage()),
  concerns: () => import('./concerns.js').then((m) => m.concernsPage()),
  concern: () => import('./concerns.js').then((m) => m.concernPage()),
};

const start = PAGES[document.body.dataset.page] || PAGES.home;
start().catch((error) => {
  console.error(error);
  const main = document.getElementById('main-content');
  const h1 = document.createElement('h1');
  h1.className = 'govuk-heading-l';
  h1.textContent = 'Sorry, there is a problem with the service';
  const p = document.createElement('p');
  p.className = 'govuk-body';
  p.textContent = 'This page could not be shown. Reload it; if the problem stays, tell the service desk.';
  main.replaceChildren(h1, p);
});
