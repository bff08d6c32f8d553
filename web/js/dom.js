// Building the page from data without ever parsing data as HTML: every
// string goes in through textContent or setAttribute, so nothing a user
// typed (a party's name, a note) can become markup or script.

/** h('p', {class: 'govuk-body'}, 'text', childNode, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      else if (key === 'text') el.textContent = value;
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'value' && (tag === 'input' || tag === 'textarea' || tag === 'select')) el.value = value;
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends strings (as text), nodes and nested arrays; skips null, undefined and false. */
export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces everything inside el. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** "parties[1].country" -> "parties-1-country": the id of the field a JSON path names. */
export function pathToId(path, prefix = '') {
  return prefix + String(path).replace(/\[(\d+)\]/g, '-$1').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-+$/, '');
}

let counter = 0;
/** A fresh id for elements that only need to be unique on the page. */
export function uid(stem = 'id') {
  counter += 1;
  return `${stem}-${counter}`;
}

/** Text with its line breaks kept (advice, notes, reasons). */
export function prose(text, cls = 'govuk-body') {
  return h('p', { class: `${cls} app-prose` }, text ?? '');
}

/** Text people wrote, inside a table cell (line breaks kept, the cell's own size). */
export function cellText(text) {
  return h('span', { class: 'app-prose' }, text ?? '');
}
