// Start an application (POST /api/v1/applications) or change a draft (PUT
// with If-Match): the application JSON of docs/application.md, with parties
// and goods lines added and removed on the page.
import { get, post, put } from './api.js';
import { h, pathToId, replace } from './dom.js';
import { button, caption, heading, input, para, radios, select, textarea, hint, link } from './govuk.js';
import * as fmt from './format.js';
import { onSubmit } from './forms.js';
import { flash, initComponents, params, startPage } from './layout.js';

const EMPTY_PARTY = { role: 'end_user', name: '', country: '', type: 'government', address: '' };
const EMPTY_LINE = { description: '', rating: '', quantity: '', value_gbp: '' };

const field = (path) => ({ id: pathToId(path), name: path });

export function applyPage() {
  return startPage({
    area: 'apply', title: 'Start an application', roles: ['exporter'],
    async render(main, { user }) {
      const ref = params().get('ref') ? fmt.refToPath(params().get('ref')) : null;
      let draft = null;
      let etag = null;
      if (ref) {
        const r = await get(`/api/v1/applications/${encodeURIComponent(ref)}`);
        draft = r.data;
        etag = r.etag;
        if (draft.status !== 'draft') {
          replace(main, heading(1, 'This application cannot be changed'),
            para(`${draft.reference} has been submitted. Only a draft can be changed.`),
            para(link(fmt.applicationHref(draft.reference), 'Go to the application')));
          return;
        }
        document.title = document.title.replace(/^Start an application/, `Change ${draft.reference}`);
      }
      const state = {
        parties: draft ? draft.parties.map((p) => ({ ...p, address: p.address ?? '' })) : [{ ...EMPTY_PARTY }],
        goods: draft ? draft.goods.map((g) => ({ ...g, quantity: g.quantity ?? '', value_gbp: g.value_gbp ?? '' })) : [{ ...EMPTY_LINE }],
      };
      const partiesBox = h('div', { id: 'parties', tabindex: '-1' });
      const goodsBox = h('div', { id: 'goods', tabindex: '-1' });

      const form = h('form', { method: 'post', action: '/api/v1/applications' },
        radios({ id: 'type', legend: 'What type of licence do you need?', legendSize: 'm', value: draft?.type ?? 'SIEL',
          hint: draft ? 'A draft keeps the licence type it was started with.' : undefined,
          items: Object.entries(fmt.LICENCE_TYPES).filter(([code]) => !draft || code === draft.type)
            .map(([code, name]) => ({ value: code, text: `${name} (${code})`, hint: TYPE_HINTS[code] })) }),
        radios({ id: 'temporary', legend: 'Will the goods come back to the UK?', legendSize: 'm', inline: true,
          hint: 'A temporary export (for a trade fair, a demonstration or repair) gets a reference ending in T.',
          value: draft?.temporary ? 'yes' : 'no', items: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }] }),
        input({ id: 'exporter', label: 'Exporter', labelSize: 'm', value: draft?.exporter ?? user.organisation ?? '',
          hint: 'The company that exports the goods, as registered.', autocomplete: 'organization' }),
        input({ id: 'destination', label: 'Destination', labelSize: 'm', width: 20, value: draft?.destination?.name ?? '',
          hint: 'The country the goods go to: its name or ISO code, for example Israel or IL.', spellcheck: false }),
        textarea({ id: 'end_use', label: 'What will the goods be used for?', labelSize: 'm', value: draft?.end_use ?? '',
          hint: 'The end use, as the end user describes it in their undertaking.' }),
        heading(2, 'Parties', 'm'),
        hint('The end user, and everyone else the goods pass through or who will use them. Every party is screened against sanctions and denied-party lists when you submit.'),
        partiesBox,
        button('Add another party', { type: 'button', variant: 'secondary', id: 'add-party' }),
        heading(2, 'Goods', 'm'),
        hint('One line for each kind of item, with its control list rating (for example ML10.a or 5A002.a.1). A technical assessor confirms every rating.'),
        goodsBox,
        button('Add another goods line', { type: 'button', variant: 'secondary', id: 'add-line' }),
        h('div', { class: 'govuk-button-group' },
          button(draft ? 'Save changes' : 'Save as draft', { id: 'save' }),
          link(draft ? fmt.applicationHref(draft.reference) : '/', 'Cancel')));

      function readState() {
        const v = valuesOf(form);
        state.parties = v.parties;
        state.goods = v.goods;
      }
      function drawParties() {
        replace(partiesBox, state.parties.map((p, i) => partyFieldset(p, i, state.parties.length)));
        initComponents(partiesBox);
      }
      function drawGoods() {
        replace(goodsBox, state.goods.map((g, i) => goodsFieldset(g, i, state.goods.length)));
      }
      drawParties();
      drawGoods();

      form.addEventListener('click', (event) => {
        const target = event.target.closest('button');
        if (!target || target.type !== 'button') return;
        readState();
        if (target.id === 'add-party') {
          state.parties.push({ ...EMPTY_PARTY, role: 'consignee', type: 'commercial' });
          drawParties();
          document.getElementById(pathToId(`parties[${state.parties.length - 1}].role`)).focus();
        } else if (target.id === 'add-line') {
          state.goods.push({ ...EMPTY_LINE });
          drawGoods();
          document.getElementById(pathToId(`goods[${state.goods.length - 1}].description`)).focus();
        } else if (target.dataset.removeParty !== undefined) {
          const i = Number(target.dataset.removeParty);
          state.parties.splice(i, 1);
          drawParties();
          document.getElementById(pathToId(`parties[${Math.max(0, i - 1)}].role`)).focus();
        } else if (target.dataset.removeLine !== undefined) {
          const i = Number(target.dataset.removeLine);
          state.goods.splice(i, 1);
          drawGoods();
          document.getElementById(pathToId(`goods[${Math.max(0, i - 1)}].description`)).focus();
        }
      });

      onSubmit(form, {
        check: () => checkApplication(valuesOf(form)),
        async send() {
          const body = applicationJson(valuesOf(form));
          if (draft) {
            await put(`/api/v1/applications/${fmt.refToPath(draft.reference)}`, body, { ifMatch: etag });
            flash({ success: true, heading: 'Your changes are saved', body: 'Check the application, then submit it when it is ready.' });
            location.assign(fmt.applicationHref(draft.reference));
          } else {
            const r = await post('/api/v1/applications', body);
            flash({ success: true, heading: `Application ${r.data.reference} is saved as a draft`,
              body: 'Check it, then submit it when it is ready. Nothing is sent to the licensing unit until you submit.' });
            location.assign(fmt.applicationHref(r.data.reference));
          }
        },
      });

      replace(main, h('div', { class: 'govuk-grid-row' }, h('div', { class: 'govuk-grid-column-two-thirds' },
        caption(draft ? draft.reference : 'New application'),
        heading(1, draft ? 'Change your draft application' : 'Start an application'),
        para('The application is saved as a draft first. You can check and change it before you submit it to the licensing unit.'),
        form)));
    },
  });
}

const TYPE_HINTS = {
  SIEL: 'Specific quantities of goods to a named end user.',
  OIEL: 'Multiple shipments to several destinations or end users over a period.',
  SITCL: 'Arranging a transfer of goods between two other countries.',
  OITCL: 'Arranging several transfers between other countries over a period.',
  SITL: 'Goods passing through the UK on their way elsewhere.',
  F680: 'Approval to promote, demonstrate or discuss classified equipment.',
};

function partyFieldset(p, i, count) {
  const at = (k) => field(`parties[${i}].${k}`);
  return h('fieldset', { class: 'govuk-fieldset app-repeat', id: pathToId(`parties[${i}]`) },
    h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, `Party ${i + 1}`),
    select({ ...at('role'), label: 'Role', value: p.role, options: Object.entries(fmt.PARTY_ROLES) }),
    input({ ...at('name'), label: 'Name', value: p.name, hint: 'The organisation’s or person’s full name, in the script it uses.' }),
    input({ ...at('country'), label: 'Country', value: p.country, width: 20, hint: 'Its name or ISO code, for example Israel or IL.', spellcheck: false }),
    select({ ...at('type'), label: 'Type', value: p.type, options: Object.entries(fmt.PARTY_TYPES) }),
    textarea({ ...at('address'), label: 'Address (optional)', value: p.address ?? '', rows: 3 }),
    count > 1 ? button(['Remove', h('span', { class: 'govuk-visually-hidden' }, ` party ${i + 1}`)],
      { type: 'button', variant: 'secondary', attrs: { 'data-remove-party': String(i) } }) : null);
}

function goodsFieldset(g, i, count) {
  const at = (k) => field(`goods[${i}].${k}`);
  return h('fieldset', { class: 'govuk-fieldset app-repeat', id: pathToId(`goods[${i}]`) },
    h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, `Goods line ${i + 1}`),
    textarea({ ...at('description'), label: 'Description', value: g.description, rows: 2,
      hint: 'What the items are, as on the invoice, for example “Components for military combat aircraft”.' }),
    input({ ...at('rating'), label: 'Control list rating', value: g.rating, width: 10, spellcheck: false,
      hint: 'For example ML10.a, ML5.b or 5A002.a.1.' }),
    input({ ...at('quantity'), label: 'Quantity (optional)', value: g.quantity === '' ? '' : String(g.quantity), width: 5, inputmode: 'numeric' }),
    input({ ...at('value_gbp'), label: 'Value (optional)', value: g.value_gbp === '' ? '' : String(g.value_gbp), width: 10,
      inputmode: 'decimal', prefix: '£', hint: 'In pounds, for example 125000 or 9000.50.' }),
    count > 1 ? button(['Remove', h('span', { class: 'govuk-visually-hidden' }, ` goods line ${i + 1}`)],
      { type: 'button', variant: 'secondary', attrs: { 'data-remove-line': String(i) } }) : null);
}

/** The form as {type, temporary, exporter, destination, end_use, parties: [..], goods: [..]} of strings. */
function valuesOf(form) {
  const v = { parties: [], goods: [] };
  for (const el of form.elements) {
    if (!el.name || el.tagName === 'BUTTON') continue;
    if (el.type === 'radio' && !el.checked) continue;
    const m = /^(parties|goods)\[(\d+)\]\.(\w+)$/.exec(el.name);
    if (m) {
      const list = v[m[1]];
      const i = Number(m[2]);
      list[i] = list[i] || {};
      list[i][m[3]] = el.value.trim();
    } else {
      v[el.name] = el.value.trim();
    }
  }
  v.parties = v.parties.filter(Boolean);
  v.goods = v.goods.filter(Boolean);
  return v;
}

const WHOLE = /^\d+$/;
const POUNDS = /^\d+(\.\d{1,2})?$/;
const plain = (s) => String(s).replace(/[£,\s]/g, '');

function checkApplication(v) {
  const problems = [];
  if (!v.type) problems.push({ path: 'type', text: 'Select the type of licence' });
  if (!v.exporter) problems.push({ path: 'exporter', text: 'Enter the exporter’s name' });
  if (!v.destination) problems.push({ path: 'destination', text: 'Enter the destination' });
  if (!v.end_use) problems.push({ path: 'end_use', text: 'Enter what the goods will be used for' });
  v.parties.forEach((p, i) => {
    if (!p.name) problems.push({ path: `parties[${i}].name`, text: `Enter the name of party ${i + 1}` });
    if (!p.country) problems.push({ path: `parties[${i}].country`, text: `Enter the country of party ${i + 1}` });
  });
  v.goods.forEach((g, i) => {
    if (!g.description) problems.push({ path: `goods[${i}].description`, text: `Enter a description of goods line ${i + 1}` });
    if (!g.rating) problems.push({ path: `goods[${i}].rating`, text: `Enter the control list rating of goods line ${i + 1}, for example ML10.a` });
    if (g.quantity && !WHOLE.test(plain(g.quantity))) problems.push({ path: `goods[${i}].quantity`, text: `The quantity of goods line ${i + 1} must be a whole number, like 40` });
    if (g.value_gbp && !POUNDS.test(plain(g.value_gbp))) problems.push({ path: `goods[${i}].value_gbp`, text: `The value of goods line ${i + 1} must be an amount in pounds, like 125000 or 9000.50` });
  });
  return problems;
}

function applicationJson(v) {
  const app = {
    type: v.type, temporary: v.temporary === 'yes', destination: v.destination, end_use: v.end_use, exporter: v.exporter,
    parties: v.parties.map((p) => {
      const party = { role: p.role, name: p.name, country: p.country, type: p.type };
      if (p.address) party.address = p.address;
      return party;
    }),
    goods: v.goods.map((g) => {
      const line = { description: g.description, rating: g.rating };
      if (g.quantity) line.quantity = Number(plain(g.quantity));
      if (g.value_gbp) line.value_gbp = Number(plain(g.value_gbp));
      return line;
    }),
  };
  return app;
}
