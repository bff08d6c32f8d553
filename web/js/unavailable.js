// What a page says when the server does not (yet) offer the routes it needs.
import { h, replace } from './dom.js';
import { details, heading, inset, para, link } from './govuk.js';

export function notAvailable(main, { title, what, routes }) {
  replace(main,
    heading(1, title),
    inset(`${what} is not available on this server yet.`),
    details('For administrators', [
      para('The page looks for these routes in the server’s API description, /api/v1/openapi.yaml, and found none of them:'),
      h('ul', { class: 'govuk-list govuk-list--bullet' }, routes.map((r) => h('li', null, h('code', { class: 'app-hash' }, r)))),
      para('They come with a later version of penholder serve. The rest of the service works without them.'),
    ]),
    para(link('/', 'Go to your home page')));
}
