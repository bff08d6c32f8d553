// GOV.UK Design System components built as DOM nodes, with the markup of
// govuk-frontend 6 (node_modules/govuk-frontend/dist/govuk/components).
import { h, uid } from './dom.js';

export function tag(text, colour) {
  return h('strong', { class: ['govuk-tag', colour && colour !== 'blue' && `govuk-tag--${colour}`] }, text);
}

export function heading(level, text, size = { 1: 'l', 2: 'l', 3: 'm', 4: 's' }[level], attrs = {}) {
  return h(`h${level}`, { class: `govuk-heading-${size}`, ...attrs }, text);
}

export const para = (...children) => h('p', { class: 'govuk-body' }, ...children);
export const hint = (...children) => h('p', { class: 'govuk-hint' }, ...children);
export const link = (href, text, attrs = {}) => h('a', { class: 'govuk-link', href, ...attrs }, text);
export const hidden = (text) => h('span', { class: 'govuk-visually-hidden' }, text);
export const caption = (text, size = 'l') => h('span', { class: `govuk-caption-${size}` }, text);

export function list(items, { bullet = false, number = false, spaced = false } = {}) {
  return h(number ? 'ol' : 'ul',
    { class: ['govuk-list', bullet && 'govuk-list--bullet', number && 'govuk-list--number', spaced && 'govuk-list--spaced'] },
    items.map((item) => h('li', null, item)));
}

/** rows: [{key, value, actions: [{href, text, hiddenText}]}]; rows whose value is undefined are left out. */
export function summaryList(rows, { noBorder = false, id } = {}) {
  return h('dl', { class: ['govuk-summary-list', noBorder && 'govuk-summary-list--no-border'], id },
    rows.filter((r) => r && r.value !== undefined).map((r) => h('div', { class: 'govuk-summary-list__row' },
      h('dt', { class: 'govuk-summary-list__key' }, r.key),
      h('dd', { class: 'govuk-summary-list__value' }, r.value === null || r.value === '' ? h('span', { class: 'app-none' }, r.empty ?? 'None') : r.value),
      r.actions?.length ? h('dd', { class: 'govuk-summary-list__actions' },
        r.actions.map((a) => link(a.href, [a.text, a.hiddenText ? hidden(` ${a.hiddenText}`) : null]))) : null)));
}

export function summaryCard({ title, titleLevel = 3, actions = [], content, id }) {
  return h('div', { class: 'govuk-summary-card', id },
    h('div', { class: 'govuk-summary-card__title-wrapper' },
      h(`h${titleLevel}`, { class: 'govuk-summary-card__title' }, title),
      actions.length ? h('ul', { class: 'govuk-summary-card__actions' },
        actions.map((a) => h('li', { class: 'govuk-summary-card__action' }, a))) : null),
    h('div', { class: 'govuk-summary-card__content' }, content));
}

/** head: [text | {text, numeric}], rows: [[cell]] where a cell is text, a node or {content, numeric, header}. */
export function table({ caption: cap, captionSize = 'm', head, rows, firstCellIsHeader = false, id, classes }) {
  const numeric = head.map((c) => Boolean(c && c.numeric));
  return h('table', { class: ['govuk-table', classes], id },
    cap ? h('caption', { class: `govuk-table__caption govuk-table__caption--${captionSize}` }, cap) : null,
    h('thead', { class: 'govuk-table__head' }, h('tr', { class: 'govuk-table__row' },
      head.map((c, i) => h('th', { scope: 'col', class: ['govuk-table__header', numeric[i] && 'govuk-table__header--numeric'] },
        c && typeof c === 'object' && !(c instanceof Node) ? c.text : c)))),
    h('tbody', { class: 'govuk-table__body' }, rows.map((row) => h('tr', { class: 'govuk-table__row' },
      row.map((cell, i) => {
        const c = cell && typeof cell === 'object' && !(cell instanceof Node) && !Array.isArray(cell) ? cell : { content: cell };
        const isHeader = c.header ?? (firstCellIsHeader && i === 0);
        return h(isHeader ? 'th' : 'td', {
          scope: isHeader ? 'row' : undefined,
          class: [isHeader ? 'govuk-table__header' : 'govuk-table__cell', (c.numeric ?? numeric[i]) && 'govuk-table__cell--numeric'],
        }, c.content);
      })))));
}

export function button(text, { variant, type = 'submit', id, name, value, onclick, attrs = {} } = {}) {
  return h('button', {
    type, id, name, value, onclick, class: ['govuk-button', variant && `govuk-button--${variant}`],
    'data-module': 'govuk-button', ...attrs,
  }, text);
}

export function linkButton(href, text, { variant } = {}) {
  return h('a', { href, role: 'button', draggable: 'false', 'data-module': 'govuk-button',
    class: ['govuk-button', variant && `govuk-button--${variant}`] }, text);
}

export const buttonGroup = (...children) => h('div', { class: 'govuk-button-group' }, ...children);

export function details(summaryText, content, { open = false, id } = {}) {
  return h('details', { class: 'govuk-details', open, id },
    h('summary', { class: 'govuk-details__summary' }, h('span', { class: 'govuk-details__summary-text' }, summaryText)),
    h('div', { class: 'govuk-details__text' }, content));
}

export const inset = (...children) => h('div', { class: 'govuk-inset-text' }, ...children);

export function warning(text) {
  return h('div', { class: 'govuk-warning-text' },
    h('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
    h('strong', { class: 'govuk-warning-text__text' }, hidden('Warning'), text));
}

/** A notification banner; success banners take focus when shown (role="alert"). */
export function banner({ success = false, title, heading: head, body }) {
  const titleId = uid('banner-title');
  return h('div', {
    class: ['govuk-notification-banner', success && 'govuk-notification-banner--success'],
    role: success ? 'alert' : 'region', 'aria-labelledby': titleId, 'data-module': 'govuk-notification-banner',
  },
  h('div', { class: 'govuk-notification-banner__header' },
    h('h2', { class: 'govuk-notification-banner__title', id: titleId }, title ?? (success ? 'Success' : 'Important'))),
  h('div', { class: 'govuk-notification-banner__content' },
    head ? h('p', { class: 'govuk-notification-banner__heading' }, head) : null,
    body ?? null));
}

/** items: [{text, href}] (no href: plain text). */
export function errorSummary(items) {
  return h('div', { class: 'govuk-error-summary', 'data-module': 'govuk-error-summary' },
    h('div', { role: 'alert' },
      h('h2', { class: 'govuk-error-summary__title' }, 'There is a problem'),
      h('div', { class: 'govuk-error-summary__body' },
        h('ul', { class: 'govuk-list govuk-error-summary__list' },
          items.map((e) => h('li', null, e.href ? h('a', { href: e.href }, e.text) : e.text))))));
}

/** items: [{title, href, hint, status, colour, cannotStart}]: colour given -> a tag. */
export function taskList(items, { id = uid('task') } = {}) {
  return h('ul', { class: 'govuk-task-list' }, items.map((item, i) => {
    const statusId = `${id}-${i + 1}-status`;
    const hintId = item.hint ? `${id}-${i + 1}-hint` : null;
    return h('li', { class: ['govuk-task-list__item', item.href && 'govuk-task-list__item--with-link'] },
      h('div', { class: 'govuk-task-list__name-and-hint' },
        item.href ? h('a', { class: 'govuk-link govuk-task-list__link', href: item.href,
          'aria-describedby': [hintId, statusId].filter(Boolean).join(' ') }, item.title) : h('div', null, item.title),
        item.hint ? h('div', { class: 'govuk-task-list__hint', id: hintId }, item.hint) : null),
      h('div', { class: ['govuk-task-list__status', item.cannotStart && 'govuk-task-list__status--cannot-start-yet'], id: statusId },
        item.colour ? tag(item.status, item.colour) : item.status));
  }));
}

// ---- form fields: each returns its govuk-form-group ----

function labelFor(id, text, { isPageHeading = false, size } = {}) {
  const label = h('label', { class: ['govuk-label', size && `govuk-label--${size}`], for: id }, text);
  return isPageHeading ? h('h1', { class: 'govuk-label-wrapper' }, label) : label;
}

function hintFor(id, text) {
  return text ? h('div', { class: 'govuk-hint', id: `${id}-hint` }, text) : null;
}

export function input({ id, name = id, label, hint: hintText, value = '', type = 'text', width, inputmode,
  autocomplete, spellcheck, prefix, suffix, labelSize, attrs = {} }) {
  const field = h('input', {
    class: ['govuk-input', width && (String(width).match(/^\d+$/) ? `govuk-input--width-${width}` : `govuk-!-width-${width}`)],
    id, name, type, value, inputmode, autocomplete, spellcheck: spellcheck === undefined ? undefined : String(spellcheck),
    'aria-describedby': hintText ? `${id}-hint` : undefined, ...attrs,
  });
  return h('div', { class: 'govuk-form-group' }, labelFor(id, label, { size: labelSize }), hintFor(id, hintText),
    prefix || suffix ? h('div', { class: 'govuk-input__wrapper' },
      prefix ? h('div', { class: 'govuk-input__prefix', 'aria-hidden': 'true' }, prefix) : null, field,
      suffix ? h('div', { class: 'govuk-input__suffix', 'aria-hidden': 'true' }, suffix) : null) : field);
}

export function textarea({ id, name = id, label, hint: hintText, value = '', rows = 5, labelSize, attrs = {} }) {
  return h('div', { class: 'govuk-form-group' }, labelFor(id, label, { size: labelSize }), hintFor(id, hintText),
    h('textarea', { class: 'govuk-textarea', id, name, rows, 'aria-describedby': hintText ? `${id}-hint` : undefined, ...attrs }, value));
}

/** options: [[value, text]] */
export function select({ id, name = id, label, hint: hintText, options, value, labelSize }) {
  return h('div', { class: 'govuk-form-group' }, labelFor(id, label, { size: labelSize }), hintFor(id, hintText),
    h('select', { class: 'govuk-select', id, name, 'aria-describedby': hintText ? `${id}-hint` : undefined },
      options.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, text))));
}

function fieldset(legend, legendSize, hintId, hintText, ...content) {
  return h('fieldset', { class: 'govuk-fieldset', 'aria-describedby': hintText ? hintId : undefined },
    h('legend', { class: ['govuk-fieldset__legend', legendSize && `govuk-fieldset__legend--${legendSize}`] }, legend),
    hintText ? h('div', { class: 'govuk-hint', id: hintId }, hintText) : null,
    ...content);
}

/** items: [{value, text, hint, conditional: node}]; the first item's input has the group's id. */
export function radios({ id, name = id, legend, legendSize, hint: hintText, items, value, inline = false, small = false }) {
  const group = h('div', { class: ['govuk-radios', inline && 'govuk-radios--inline', small && 'govuk-radios--small'], 'data-module': 'govuk-radios' },
    items.map((item, i) => {
      const itemId = i === 0 ? id : `${id}-${i + 1}`;
      const conditionalId = item.conditional ? `conditional-${itemId}` : undefined;
      return [
        h('div', { class: 'govuk-radios__item' },
          h('input', { class: 'govuk-radios__input', id: itemId, name, type: 'radio', value: item.value,
            checked: String(item.value) === String(value ?? ''), 'data-aria-controls': conditionalId,
            'aria-describedby': item.hint ? `${itemId}-item-hint` : undefined }),
          h('label', { class: 'govuk-label govuk-radios__label', for: itemId }, item.text),
          item.hint ? h('div', { class: 'govuk-hint govuk-radios__hint', id: `${itemId}-item-hint` }, item.hint) : null),
        item.conditional ? h('div', { class: 'govuk-radios__conditional govuk-radios__conditional--hidden', id: conditionalId }, item.conditional) : null,
      ];
    }));
  return h('div', { class: 'govuk-form-group' }, fieldset(legend, legendSize, `${id}-hint`, hintText, group));
}

/** items: [{value, text, hint}]; values: the checked ones. */
export function checkboxes({ id, name = id, legend, legendSize, hint: hintText, items, values = [], small = false }) {
  const checked = new Set(values.map(String));
  const group = h('div', { class: ['govuk-checkboxes', small && 'govuk-checkboxes--small'], 'data-module': 'govuk-checkboxes' },
    items.map((item, i) => {
      const itemId = i === 0 ? id : `${id}-${i + 1}`;
      return h('div', { class: 'govuk-checkboxes__item' },
        h('input', { class: 'govuk-checkboxes__input', id: itemId, name, type: 'checkbox', value: item.value,
          checked: checked.has(String(item.value)), 'aria-describedby': item.hint ? `${itemId}-item-hint` : undefined }),
        h('label', { class: 'govuk-label govuk-checkboxes__label', for: itemId }, item.text),
        item.hint ? h('div', { class: 'govuk-hint govuk-checkboxes__hint', id: `${itemId}-item-hint` }, item.hint) : null);
    }));
  return h('div', { class: 'govuk-form-group' }, fieldset(legend, legendSize, `${id}-hint`, hintText, group));
}

/** A single "yes" checkbox (no fieldset), e.g. "Visible to the exporter". */
export function checkbox({ id, name = id, label, hint: hintText, checked = false }) {
  return h('div', { class: 'govuk-form-group' },
    h('div', { class: 'govuk-checkboxes govuk-checkboxes--small', 'data-module': 'govuk-checkboxes' },
      h('div', { class: 'govuk-checkboxes__item' },
        h('input', { class: 'govuk-checkboxes__input', id, name, type: 'checkbox', value: 'yes', checked,
          'aria-describedby': hintText ? `${id}-item-hint` : undefined }),
        h('label', { class: 'govuk-label govuk-checkboxes__label', for: id }, label),
        hintText ? h('div', { class: 'govuk-hint govuk-checkboxes__hint', id: `${id}-item-hint` }, hintText) : null)));
}

/** The GOV.UK date input: day, month and year fields named `${name}-day` etc. */
export function dateInput({ id, name = id, legend, legendSize, hint: hintText, value = '' }) {
  const [y = '', m = '', d = ''] = String(value || '').split('-');
  const part = (suffix, text, v, width) => h('div', { class: 'govuk-date-input__item' },
    h('div', { class: 'govuk-form-group' },
      h('label', { class: 'govuk-label govuk-date-input__label', for: `${id}-${suffix}` }, text),
      h('input', { class: `govuk-input govuk-date-input__input govuk-input--width-${width}`, id: `${id}-${suffix}`,
        name: `${name}-${suffix}`, type: 'text', inputmode: 'numeric', value: v })));
  return h('div', { class: 'govuk-form-group' },
    h('fieldset', { class: 'govuk-fieldset', role: 'group', 'aria-describedby': hintText ? `${id}-hint` : undefined },
      h('legend', { class: ['govuk-fieldset__legend', legendSize && `govuk-fieldset__legend--${legendSize}`] }, legend),
      hintText ? h('div', { class: 'govuk-hint', id: `${id}-hint` }, hintText) : null,
      h('div', { class: 'govuk-date-input', id },
        part('day', 'Day', d.replace(/^0/, ''), 2), part('month', 'Month', m.replace(/^0/, ''), 2), part('year', 'Year', y, 4))));
}

/** previous/next links and page numbers. */
export function pagination({ page, pages, hrefFor }) {
  if (pages <= 1) return null;
  const items = [];
  for (let p = 1; p <= pages; p++) {
    if (p === 1 || p === pages || Math.abs(p - page) <= 1) {
      items.push(h('li', { class: ['govuk-pagination__item', p === page && 'govuk-pagination__item--current'] },
        h('a', { class: 'govuk-link govuk-pagination__link', href: hrefFor(p), 'aria-label': `Page ${p}`,
          'aria-current': p === page ? 'page' : undefined }, String(p))));
    } else if (items.length && !items[items.length - 1].classList.contains('govuk-pagination__item--ellipses')) {
      items.push(h('li', { class: 'govuk-pagination__item govuk-pagination__item--ellipses' }, '⋯'));
    }
  }
  return h('nav', { class: 'govuk-pagination', 'aria-label': 'Results' },
    page > 1 ? h('div', { class: 'govuk-pagination__prev' },
      h('a', { class: 'govuk-link govuk-pagination__link', href: hrefFor(page - 1), rel: 'prev' },
        h('span', { class: 'govuk-pagination__link-title' }, 'Previous', hidden(' page')))) : null,
    h('ul', { class: 'govuk-pagination__list' }, items),
    page < pages ? h('div', { class: 'govuk-pagination__next' },
      h('a', { class: 'govuk-link govuk-pagination__link', href: hrefFor(page + 1), rel: 'next' },
        h('span', { class: 'govuk-pagination__link-title' }, 'Next', hidden(' page')))) : null);
}

/** Tabs: [{id, label, content}]. */
export function tabs(title, panels) {
  return h('div', { class: 'govuk-tabs', 'data-module': 'govuk-tabs' },
    h('h2', { class: 'govuk-tabs__title' }, title),
    h('ul', { class: 'govuk-tabs__list' }, panels.map((p, i) => h('li',
      { class: ['govuk-tabs__list-item', i === 0 && 'govuk-tabs__list-item--selected'] },
      h('a', { class: 'govuk-tabs__tab', href: `#${p.id}` }, p.label)))),
    panels.map((p, i) => h('div', { class: ['govuk-tabs__panel', i > 0 && 'govuk-tabs__panel--hidden'], id: p.id }, p.content)));
}
