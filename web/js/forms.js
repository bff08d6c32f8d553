// Forms the GOV.UK way: an error summary at the top of the page linking to
// each field, the message again above the field, "Error: " in the title;
// problems reported by the server (problem+json, with the JSON path of the
// field) land on the field that path names.
import { ApiError } from './api.js';
import { h, pathToId } from './dom.js';
import { errorSummary } from './govuk.js';
import { sentence } from './format.js';
import { initComponents } from './layout.js';

const TITLE_PREFIX = 'Error: ';

/** Every value of a form: {name: value}; checkboxes give arrays. */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') {
      if (!(el.name in out)) out[el.name] = [];
      if (el.checked) out[el.name].push(el.value);
    } else if (el.type === 'radio') {
      if (el.checked) out[el.name] = el.value;
      else if (!(el.name in out)) out[el.name] = '';
    } else if (el.tagName !== 'BUTTON') {
      out[el.name] = el.value.trim();
    }
  }
  return out;
}

/** Removes the error summary and every inline error of a form. */
export function clearErrors(form) {
  document.querySelectorAll('.app-error-summary-slot').forEach((slot) => slot.replaceChildren());
  for (const msg of form.querySelectorAll('.govuk-error-message')) {
    const field = document.getElementById(msg.id.replace(/-error$/, ''));
    if (field) {
      const described = (field.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== msg.id);
      if (described.length) field.setAttribute('aria-describedby', described.join(' '));
      else field.removeAttribute('aria-describedby');
    }
    msg.remove();
  }
  for (const g of form.querySelectorAll('.govuk-form-group--error')) g.classList.remove('govuk-form-group--error');
  for (const cls of ['govuk-input--error', 'govuk-textarea--error', 'govuk-select--error']) {
    for (const el of form.querySelectorAll(`.${cls}`)) el.classList.remove(cls);
  }
  if (document.title.startsWith(TITLE_PREFIX)) document.title = document.title.slice(TITLE_PREFIX.length);
}

/** The element that holds a field's messages: the input, or the radios'/checkboxes' fieldset. */
function targetOf(form, id) {
  const el = form.querySelector(`#${CSS.escape(id)}`);
  if (!el) return null;
  const group = el.closest('.govuk-form-group');
  const fieldset = el.closest('.govuk-radios, .govuk-checkboxes, .govuk-date-input')?.closest('fieldset');
  return { el, group: fieldset ? fieldset.closest('.govuk-form-group') : group, fieldset };
}

/**
 * Shows errors: [{path, text}] on `form`, whose field ids are `prefix` +
 * pathToId(path). A path that names no field is listed in the summary
 * without a link. The summary goes in the page's error summary slot and
 * takes focus.
 */
export function showErrors(form, errors, { prefix = '' } = {}) {
  clearErrors(form);
  // A success banner from an earlier action would now mislead.
  document.querySelectorAll('.app-banner-slot').forEach((slot) => slot.replaceChildren());
  const items = [];
  for (const e of errors) {
    const id = e.path ? pathToId(e.path, prefix) : '';
    const target = id ? targetOf(form, id) : null;
    const text = sentence(e.text);
    if (!target) { items.push({ text }); continue; }
    items.push({ text, href: `#${id}` });
    const msgId = `${id}-error`;
    if (document.getElementById(msgId)) continue; // one message per field
    const message = h('p', { class: 'govuk-error-message', id: msgId }, h('span', { class: 'govuk-visually-hidden' }, 'Error: '), text);
    if (target.group) target.group.classList.add('govuk-form-group--error');
    if (target.fieldset) {
      const legendOrHint = target.fieldset.querySelector(':scope > .govuk-hint') || target.fieldset.querySelector(':scope > legend');
      legendOrHint.after(message);
      target.fieldset.setAttribute('aria-describedby', [target.fieldset.getAttribute('aria-describedby'), msgId].filter(Boolean).join(' '));
    } else {
      const before = target.el.closest('.govuk-input__wrapper') || target.el;
      before.before(message);
      for (const cls of ['input', 'textarea', 'select']) {
        if (target.el.classList.contains(`govuk-${cls}`)) target.el.classList.add(`govuk-${cls}--error`);
      }
      target.el.setAttribute('aria-describedby', [target.el.getAttribute('aria-describedby'), msgId].filter(Boolean).join(' '));
    }
  }
  const slot = form.closest('main')?.querySelector('.app-error-summary-slot') || document.querySelector('.app-error-summary-slot');
  const summary = errorSummary(items);
  if (slot) {
    slot.replaceChildren(summary);
  } else {
    form.prepend(summary);
  }
  if (!document.title.startsWith(TITLE_PREFIX)) document.title = TITLE_PREFIX + document.title;
  initComponents(summary); // the GOV.UK error summary focuses itself and moves to the field on click
}

/** The errors an API failure means for a form: field problems, else one general message. */
export function errorsOf(error) {
  if (error instanceof ApiError) {
    if (error.fields.length) return error.fields.map((f) => ({ path: f.path, text: f.detail }));
    if (error.status === 412) {
      return [{ text: 'Someone else changed this since you opened the page. Reload the page to see their change, then try again.' }];
    }
    if (error.status === 403 && error.type === 'csrf') {
      return [{ text: 'Your session has changed. Reload the page and try again.' }];
    }
    return [{ text: error.message }];
  }
  console.error(error);
  return [{ text: 'Something went wrong in this page. Reload it and try again.' }];
}

/**
 * Wires a form: on submit, `check(values)` may return client-side errors
 * [{path, text}]; otherwise `send(values)` runs, and its failure is shown on
 * the form. The submit button is disabled while the request is in flight.
 */
export function onSubmit(form, { check, send, prefix = '' }) {
  form.setAttribute('novalidate', '');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = formValues(form);
    const problems = check ? check(values) : [];
    if (problems && problems.length) {
      showErrors(form, problems, { prefix });
      return;
    }
    const buttons = [...form.querySelectorAll('button[type="submit"]')];
    buttons.forEach((b) => { b.disabled = true; b.setAttribute('aria-disabled', 'true'); });
    try {
      await send(values, event.submitter);
    } catch (error) {
      showErrors(form, errorsOf(error), { prefix });
    } finally {
      buttons.forEach((b) => { if (b.isConnected) { b.disabled = false; b.removeAttribute('aria-disabled'); } });
    }
  });
  return form;
}

/** "Enter X" when a required value is empty. */
export function required(values, path, message, problems) {
  if (!values[path] || (Array.isArray(values[path]) && !values[path].length)) problems.push({ path, text: message });
}

/** Removes the page's error summary (after a successful action redrew the page). */
export function clearPageErrors() {
  document.querySelectorAll('.app-error-summary-slot').forEach((slot) => slot.replaceChildren());
  if (document.title.startsWith(TITLE_PREFIX)) document.title = document.title.slice(TITLE_PREFIX.length);
}
