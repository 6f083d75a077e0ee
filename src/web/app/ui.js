// DOM helpers shared by the storefront and the admin: elements built from data (never HTML strings
// with data in them), money, dates, a hash router, toasts and form errors.

/** h('a', {href: '#/'}, 'text', child...) ; attributes starting with "on" take listeners. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** SVG elements (charts). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

const digits = {};
/** {amount, currency} in minor units → "$12.34" in the page's locale. */
export function money(m) {
  if (!m) return '';
  const cur = m.currency;
  if (!(cur in digits)) digits[cur] = new Intl.NumberFormat('en', { style: 'currency', currency: cur }).resolvedOptions().maximumFractionDigits;
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: cur }).format(m.amount / 10 ** digits[cur]);
}

export const date = (iso) => (iso ? new Date(iso).toLocaleString() : '');
export const day = (iso) => (iso ? new Date(iso).toLocaleDateString() : '');

let rendered = false;
/**
 * Replaces the main region's content and sets the title; after a navigation (not on the first
 * page, where the skip link comes first) moves focus there so screen readers announce the page.
 */
export function show(title, ...content) {
  const main = document.getElementById('main');
  main.replaceChildren(...content.flat().filter(Boolean));
  document.title = title ? `${title} · ${document.body.classList.contains('admin') ? 'shop admin' : 'shop'}` : 'shop';
  if (rendered) {
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  rendered = true;
}

let toastTimer;
export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.remove('show'), 3500);
}

/** The route and its query from the location hash: "#/p/slug?x=1" → {path: "/p/slug", query}. */
export function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  return { path, query: new URLSearchParams(query || '') };
}

/** Runs the handler of the first matching [regexp, handler] on every hash change. */
export function startRouter(routes, notFound) {
  const run = async () => {
    const { path, query } = currentRoute();
    for (const [re, fn] of routes) {
      const m = path.match(re);
      if (m) {
        try {
          await fn(query, ...m.slice(1).map(decodeURIComponent));
        } catch (e) {
          show('Error', h('h1', {}, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, e.message));
        }
        return;
      }
    }
    notFound();
  };
  window.addEventListener('hashchange', run);
  run();
}

/** Shows an API error on a form: each named field's message beside it, the rest on top. */
export function formError(form, err) {
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  let shown = false;
  for (const f of (err && err.fields) || []) {
    const name = f.field.split('.').pop();
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    const id = `${input.id || name}-error`;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.after(h('span', { class: 'field-error error', id }, f.message));
    shown = true;
  }
  let top = form.querySelector('.form-error');
  if (!top) {
    top = h('p', { class: 'form-error error', role: 'alert' });
    form.prepend(top);
  }
  top.textContent = shown ? 'Please correct the marked fields.' : (err && err.message) || String(err);
}

/** A labelled input: field('Email', {name: 'email', type: 'email', required: true}). */
export function field(label, attrs, kind = 'input') {
  const id = attrs.id || `f-${attrs.name}`;
  const control = kind === 'select' ? h('select', { ...attrs, id }, ...(attrs.options || []).map(([v, t]) => h('option', { value: v }, t)))
    : h(kind, { ...attrs, id, options: undefined });
  if (kind === 'select') control.removeAttribute('options');
  return h('label', { for: id }, label, control);
}

/** The form's values as an object (empty strings left out). */
export function values(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) if (v !== '') out[k] = v;
  return out;
}

/** A submit handler that disables the button while it runs and shows errors on the form. */
export function onSubmit(form, fn) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('[type=submit]');
    if (button) button.disabled = true;
    try {
      await fn(values(form), form);
      const top = form.querySelector('.form-error');
      if (top) top.textContent = '';
    } catch (e) {
      formError(form, e);
    } finally {
      if (button) button.disabled = false;
    }
  });
  return form;
}
