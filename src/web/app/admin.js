// The admin pages: dashboard (sales and payments by day, top products, low stock), orders
// (fulfil, ship with tracking, cancel, refund), returns, products, stock, promotions, shipping and
// tax, users and roles, notification templates and the delivery log, outbound webhooks, the event
// bus, and a checkout's trace. Admins see everything; vendors their products and stock.
import { api, get, post, patch, put, qs, currentUser } from './api.js';
import { h, svg, money, date, show, toast, startRouter, field, onSubmit } from './ui.js';

let user = null;

function signIn() {
  const form = onSubmit(h('form', { class: 'form', 'aria-labelledby': 'si-h' }, h('h1', { id: 'si-h' }, 'Sign in to the admin'),
    field('Email', { name: 'email', type: 'email', required: true, autocomplete: 'username' }),
    field('Password', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' }),
    field('Authenticator code (when two-factor sign-in is on)', { name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code' }),
    h('button', { type: 'submit' }, 'Sign in')), async (v) => {
    await post('/auth/web/login', v);
    user = await currentUser();
    start();
  });
  show('Sign in', form);
}

/** A bar chart of `series` ([{label, value}]) as SVG, with a text table for screen readers. */
function barChart(title, series, format, cls = 'bar') {
  const W = 600, H = 180, pad = 28;
  const max = Math.max(1, ...series.map((s) => s.value));
  const bw = series.length ? (W - pad) / series.length : 0;
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H + 24}`, role: 'img', 'aria-label': title },
    svg('title', {}, title),
    svg('line', { x1: pad, y1: H, x2: W, y2: H, stroke: '#9ca3af' }),
    svg('text', { x: pad, y: 16 }, `max ${format(max)}`),
    ...series.flatMap((s, i) => {
      const bh = Math.round((s.value / max) * (H - 24));
      const x = pad + i * bw + 1;
      return [svg('rect', { class: cls, x, y: H - bh, width: Math.max(1, bw - 2), height: bh }, svg('title', {}, `${s.label}: ${format(s.value)}`)),
        i % Math.ceil(series.length / 5) === 0 ? svg('text', { x, y: H + 18 }, s.label.slice(5)) : null].filter(Boolean);
    }));
  const table = h('details', {}, h('summary', {}, `${title} as a table`), h('table', {}, h('tbody', {},
    series.map((s) => h('tr', {}, h('th', { scope: 'row' }, s.label), h('td', { class: 'num' }, format(s.value)))))));
  return h('figure', { class: 'panel' }, h('figcaption', {}, h('strong', {}, title)), chart, table);
}

/** Every day from `from` to `to` (YYYY-MM-DD), so days without sales show as empty bars. */
function daysBetween(from, to) {
  const out = [];
  for (let d = new Date(from + 'T00:00:00Z'); d <= new Date(to + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

async function dashboard() {
  if (user.role !== 'admin') { location.hash = '#/products'; return; }
  const [sales, pays, low] = await Promise.all([get('/admin/reports/sales'), get('/admin/reports/payments'), get('/admin/inventory' + qs({ low_stock: 'true', limit: 10 }))]);
  const currency = (sales.totals[0] && sales.totals[0].currency) || (pays.totals[0] && pays.totals[0].currency) || 'USD';
  const days = daysBetween(sales.from, sales.to);
  const revenue = days.map((d) => ({ label: d, value: sales.days.filter((x) => x.day === d && x.currency === currency).reduce((s, x) => s + x.revenue.amount, 0) }));
  const orders = days.map((d) => ({ label: d, value: sales.days.filter((x) => x.day === d).reduce((s, x) => s + x.orders, 0) }));
  const attempts = days.map((d) => ({ label: d, value: pays.days.filter((x) => x.day === d).reduce((s, x) => s + x.succeeded, 0) }));
  const failed = pays.days.reduce((s, x) => s + x.failed, 0);
  const t = sales.totals.find((x) => x.currency === currency);
  show('Dashboard', h('h1', {}, 'Dashboard'), h('p', { class: 'muted' }, `${sales.from} to ${sales.to} (UTC)`),
    h('div', { class: 'dash' },
      h('div', { class: 'panel', id: 'kpis' }, h('p', {}, 'Revenue: ', h('strong', {}, t ? money(t.revenue) : money({ amount: 0, currency }))),
        h('p', {}, 'Orders: ', h('strong', {}, String(t ? t.orders : 0))), h('p', {}, 'Average order: ', h('strong', {}, t ? money(t.average_order_value) : '—')),
        h('p', {}, 'Failed payments: ', h('strong', {}, String(failed)))),
      h('div', { id: 'sales-chart' }, barChart(`Revenue by day (${currency})`, revenue, (v) => money({ amount: v, currency }))),
      barChart('Orders by day', orders, (v) => String(v)),
      barChart('Successful payments by day', attempts, (v) => String(v), 'bar2'),
      h('section', { class: 'panel' }, h('h2', {}, 'Top products'), h('ol', {}, sales.top_products.map((p) => h('li', {}, `${p.title} — ${p.quantity} sold, ${money(p.revenue)}`)))),
      h('section', { class: 'panel' }, h('h2', {}, 'Low stock'), h('ul', {}, low.data.map((s) => h('li', {}, h('a', { href: `#/stock?sku=${encodeURIComponent(s.sku)}` }, s.sku), ` — ${s.available} available`))))));
}

const ORDER_STATUSES = ['', 'pending_payment', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded', 'partially_refunded'];

async function orders(query) {
  const status = query.get('status') || '';
  const r = await get('/orders' + qs({ status, limit: 50, cursor: query.get('cursor') }));
  const filter = h('label', { for: 'status-filter' }, 'Status ', h('select', { id: 'status-filter', onchange: (e) => { location.hash = `#/orders?status=${e.target.value}`; } },
    ORDER_STATUSES.map((s) => h('option', { value: s, selected: s === status }, s || 'all'))));
  show('Orders', h('h1', {}, 'Orders'), filter, h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['Order', 'Customer', 'Status', 'Total', 'Placed'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, r.data.map((o) => h('tr', {}, h('td', {}, h('a', { href: `#/orders/${o.id}` }, o.number)), h('td', {}, o.email || o.customer_id || ''),
      h('td', {}, h('span', { class: 'status' }, o.status)), h('td', { class: 'num' }, money(o.total)), h('td', {}, date(o.created_at))))))),
  r.next_cursor ? h('a', { href: `#/orders?status=${status}&cursor=${encodeURIComponent(r.next_cursor)}` }, 'Next page') : null);
}

async function order(query, id) {
  const o = await get(`/orders/${id}`);
  const [hist, pays] = await Promise.all([get(`/orders/${id}/history`), get(`/orders/${id}/payments`).catch(() => ({ data: [] }))]);
  const reload = () => order(query, id);
  const fulfil = (status) => onSubmit(h('form', { class: 'form', 'aria-label': `Mark ${status}` },
    status === 'shipped' ? [field('Carrier', { name: 'carrier', required: true }), field('Tracking number', { name: 'tracking_number', required: true })] : null,
    h('button', { type: 'submit' }, status === 'shipped' ? 'Ship' : `Mark ${status}`)), async (v) => {
    await post(`/admin/orders/${id}/fulfilment`, { status, ...v }, { idempotent: true });
    toast(`Order ${o.number}: ${status}`);
    reload();
  });
  const next = { confirmed: ['processing', 'shipped'], processing: ['shipped'], shipped: ['delivered'] }[o.status] || [];
  const cancel = ['pending_payment', 'confirmed', 'processing'].includes(o.status) ? h('button', { class: 'danger', type: 'button', onclick: async () => {
    if (!confirm(`Cancel order ${o.number}?`)) return;
    await post(`/orders/${id}/cancel`, { reason: 'cancelled by an admin' }, { idempotent: true });
    reload();
  } }, 'Cancel order') : null;
  const refund = ['confirmed', 'processing', 'shipped', 'delivered', 'partially_refunded'].includes(o.status) ? onSubmit(h('form', { class: 'form', 'aria-label': 'Refund' },
    h('h2', {}, 'Refund'), field(`Amount in minor units (empty = the rest of ${money(o.total)})`, { name: 'amount', inputmode: 'numeric' }),
    field('Reason', { name: 'reason', required: true }), h('label', {}, h('input', { type: 'checkbox', name: 'restock', value: 'true' }), ' Put the items back in stock'),
    h('button', { type: 'submit' }, 'Refund')), async (v) => {
    const r = await post(`/admin/orders/${id}/refunds`, { amount: v.amount ? Number(v.amount) : undefined, reason: v.reason, restock: v.restock === 'true' }, { idempotent: true });
    toast(`Refund ${r.id}: ${r.status}`);
    reload();
  }) : null;
  const traces = await get('/admin/traces' + qs({ subject: id })).catch(() => ({ data: [] }));
  show(`Order ${o.number}`, h('h1', {}, `Order ${o.number}`), h('p', {}, h('span', { class: 'status', id: 'order-status' }, o.status), ` · ${o.email || o.customer_id || ''} · ${money(o.total)}`),
    h('div', { class: 'dash' },
      h('section', { class: 'panel' }, h('h2', {}, 'Lines'), h('ul', {}, o.lines.map((l) => h('li', {}, `${l.quantity} × ${l.title} (${l.sku}) — ${money(l.line_total)}`))),
        h('p', {}, `Ship to: ${o.shipping_address.name}, ${o.shipping_address.line1}, ${o.shipping_address.postal_code} ${o.shipping_address.city}, ${o.shipping_address.country}`),
        (o.shipments || []).map((s) => h('p', {}, `Shipment: ${s.carrier || ''} ${s.tracking_number || ''} (${s.status || ''})`))),
      h('section', { class: 'panel' }, h('h2', {}, 'Fulfilment'), next.length ? next.map(fulfil) : h('p', { class: 'muted' }, 'Nothing to do in this state.'), cancel),
      refund ? h('section', { class: 'panel' }, refund) : null,
      h('section', { class: 'panel' }, h('h2', {}, 'Payments'), h('ul', {}, pays.data.map((p) => h('li', {}, `${p.id}: ${p.status}, ${money(p.amount)}${p.card ? ` (${p.card.brand} ${p.card.last4})` : ''}`)))),
      h('section', { class: 'panel' }, h('h2', {}, 'History'), h('ol', {}, hist.events.map((e) => h('li', {}, `${date(e.at)} — ${e.kind}: ${e.note || e.event}`)))),
      h('section', { class: 'panel' }, h('h2', {}, 'Traces'), traces.data.length ? h('ul', {}, traces.data.map((t) => h('li', {},
        h('a', { href: `#/trace/${encodeURIComponent(t.correlation_id)}` }, `${t.first_type} · ${date(t.first_at)}`), ` (${t.events} events)`))) : h('p', { class: 'muted' }, 'No events recorded.'))));
}

async function trace(query, corr) {
  if (!corr) {
    const f = onSubmit(h('form', { class: 'form', 'aria-label': 'Find a trace' }, field('Correlation id or order id', { name: 'id', required: true }),
      h('button', { type: 'submit' }, 'Show')), async (v) => {
      if (/^ord_/.test(v.id)) location.hash = `#/orders/${v.id}`;
      else location.hash = `#/trace/${encodeURIComponent(v.id)}`;
    });
    show('Traces', h('h1', {}, 'Trace of a checkout'), h('p', {}, 'A checkout made in the storefront runs under one trace id; an order’s page links to its traces.'), f);
    return;
  }
  const t = await get(`/admin/traces/${encodeURIComponent(corr)}`);
  const start = new Date(t.data[0].at).getTime();
  const maxDur = Math.max(1, ...t.data.map((s) => s.duration_us || 0));
  show('Trace', h('h1', {}, 'Trace'), h('p', {}, 'Correlation id ', h('code', {}, t.correlation_id)),
    h('ol', { class: 'timeline', id: 'trace-timeline' }, t.data.map((s) => h('li', {},
      h('strong', {}, `+${new Date(s.at).getTime() - start} ms`), ' ',
      s.kind === 'event' ? `event ${s.type} published by ${s.schema}` : `${s.consumer} handled ${s.type}: ${s.outcome}`,
      s.kind === 'handler' ? [` in ${(s.duration_us / 1000).toFixed(2)} ms`, h('span', { class: 'dur', style: undefined, 'aria-hidden': 'true', dataset: { w: String(Math.round((s.duration_us / maxDur) * 100)) } })] : null))));
  // Widths through the CSSOM (the policy allows no inline style attribute).
  document.querySelectorAll('.dur').forEach((el) => { el.style.width = `${el.dataset.w}px`; });
}

async function products(query) {
  const q = query.get('q') || '';
  const r = q ? await get('/search' + qs({ q, limit: 50 })) : await get('/products' + qs({ limit: 50, sort: 'newest', cursor: query.get('cursor') }));
  const f = onSubmit(h('form', { class: 'row', role: 'search' }, field('Find products', { name: 'q', value: q, type: 'search' }), h('button', { type: 'submit' }, 'Find')),
    async (v) => { location.hash = `#/products?q=${encodeURIComponent(v.q || '')}`; });
  show('Products', h('h1', {}, 'Products'), f, h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['Title', 'Price', 'Rating', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, r.data.map((p) => h('tr', {}, h('td', {}, h('a', { href: `/#/p/${p.slug}` }, p.title)), h('td', { class: 'num' }, money(p.price || (p.variants && p.variants[0].price))),
      h('td', {}, p.rating && p.rating.count ? `${p.rating.average.toFixed(1)} (${p.rating.count})` : '—'),
      h('td', {}, h('a', { href: `#/product/${p.id}` }, 'Edit'))))))),
  !q && r.next_cursor ? h('a', { href: `#/products?cursor=${encodeURIComponent(r.next_cursor)}` }, 'Next page') : null,
  newProductForm(), user.role === 'admin' ? csvSection() : null);
}

function newProductForm() {
  return onSubmit(h('form', { class: 'form', 'aria-label': 'New product' }, h('h2', {}, 'New product'), field('Title', { name: 'title', required: true }),
    field('SKU of its first variant', { name: 'sku', required: true }), field('Price in USD (e.g. 19.99)', { name: 'price', required: true, inputmode: 'decimal' }),
    field('Status', { name: 'status', options: [['draft', 'draft'], ['published', 'published']] }, 'select'), h('button', { type: 'submit' }, 'Create product')), async (v) => {
    const p = await post('/products', { title: v.title, status: v.status, variants: [{ sku: v.sku, prices: [{ amount: Math.round(parseFloat(v.price) * 100), currency: 'USD' }] }] }, { idempotent: true });
    location.hash = `#/product/${p.id}`;
  });
}

/** Every product as CSV, and an import with its report per row. */
function csvSection() {
  const report = h('div', { id: 'import-report', 'aria-live': 'polite' });
  const form = onSubmit(h('form', { class: 'form', 'aria-label': 'Import products' }, field('CSV file (the export\'s columns)', { name: 'file', type: 'file', accept: '.csv,text/csv', required: true }),
    h('button', { type: 'submit' }, 'Import')), async (_v, f) => {
    const r = await api('POST', '/admin/products/import', { raw: f.elements.file.files[0], contentType: 'text/csv', idempotent: true });
    const bad = r.results.filter((x) => x.errors.length);
    report.replaceChildren(h('p', { class: 'ok' }, `${r.rows} rows: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.failed} failed.`),
      bad.length ? h('ul', {}, bad.map((x) => h('li', {}, `Row ${x.row} (${x.handle} ${x.sku}): `, x.errors.map((e) => `${e.column || 'row'}: ${e.message}`).join('; ')))) : null);
  });
  return h('section', {}, h('h2', {}, 'CSV'), h('p', {}, h('a', { href: '/api/v1/admin/products/export', download: 'products.csv' }, 'Export every product as CSV')), form, report);
}

async function productEdit(query, id) {
  const [p, cats, brands] = await Promise.all([get(`/products/${id}`), get('/categories'), get('/brands' + qs({ limit: 100 }))]);
  const flat = [];
  const walk = (list, depth) => list.forEach((c) => { flat.push([c.id, `${'· '.repeat(depth)}${c.name}`]); walk(c.children || [], depth + 1); });
  walk(cats.data, 0);
  const reload = () => productEdit(query, id);
  const form = onSubmit(h('form', { class: 'form', 'aria-label': 'Edit product' }, field('Title', { name: 'title', value: p.title, required: true }),
    field('Description', { name: 'description', rows: 4 }, 'textarea'),
    field('Status', { name: 'status', options: [['published', 'published'], ['draft', 'draft'], ['archived', 'archived']] }, 'select'),
    field('Brand', { name: 'brand_id', options: [['', 'no brand'], ...brands.data.map((b) => [b.id, b.name])] }, 'select'),
    field('Categories', { name: 'category_ids', multiple: true, size: 8, options: flat }, 'select'),
    h('button', { type: 'submit' }, 'Save')), async (v, f) => {
    await patch(`/products/${id}`, { title: v.title, description: v.description || '', status: v.status, brand_id: f.elements.brand_id.value || null,
      category_ids: [...f.elements.category_ids.selectedOptions].map((o) => o.value) });
    toast('Saved');
  });
  form.querySelector('textarea').value = p.description || '';
  form.elements.status.value = p.status;
  form.elements.brand_id.value = p.brand ? p.brand.id : '';
  const mine = new Set((p.categories || []).map((c) => c.id));
  [...form.elements.category_ids.options].forEach((o) => { o.selected = mine.has(o.value); });

  // Images: upload (stored by the shop, served immutable), alt texts, removal.
  const images = h('ul', { class: 'thumbs', 'aria-label': 'Images' }, (p.images || []).map((im, i) => h('li', {}, h('img', { src: im.url, alt: im.alt || '', width: 96, height: 96 }),
    ` ${im.alt || '(no alt text)'} `, h('button', { type: 'button', class: 'secondary', onclick: async () => {
      const rest = p.images.filter((_, k) => k !== i).map((x, k) => ({ url: x.url, alt: x.alt || undefined, position: k }));
      await patch(`/products/${id}`, { images: rest }); toast('Image removed'); reload();
    } }, 'Remove'))));
  const upload = onSubmit(h('form', { class: 'form', 'aria-label': 'Upload an image' }, field('Image (PNG, JPEG, GIF or WebP)', { name: 'file', type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp', required: true }),
    field('Alt text', { name: 'alt' }), h('button', { type: 'submit' }, 'Upload')), async (_v, f) => {
    const file = f.elements.file.files[0];
    await api('POST', `/admin/products/${id}/images` + qs({ alt: f.elements.alt.value || undefined }), { raw: file, contentType: file.type, idempotent: true });
    toast('Image uploaded'); reload();
  });

  // Variants: prices per currency, and a new variant.
  const priceText = (v) => (v.prices || []).map((x) => `${(x.amount / 100).toFixed(2)} ${x.currency}`).join(', ');
  const parsePrices = (text) => text.split(',').map((t) => t.trim()).filter(Boolean).map((t) => {
    const [amount, currency] = t.split(/\s+/);
    return { amount: Math.round(parseFloat(amount) * 100), currency: (currency || 'USD').toUpperCase() };
  });
  const variants = h('ul', { 'aria-label': 'Variants' }, p.variants.map((v) => {
    const f = onSubmit(h('form', { class: 'row', 'aria-label': `Prices of ${v.sku}` }, h('strong', {}, `${v.sku} ${v.title || ''}`),
      field('Prices (e.g. 19.99 USD, 18.50 EUR)', { name: 'prices', id: `prices-${v.id}`, value: priceText(v), required: true }),
      h('button', { type: 'submit', class: 'secondary' }, 'Save prices'), h('a', { href: `#/stock?sku=${encodeURIComponent(v.sku)}` }, 'stock')), async (x) => {
      await patch(`/products/${id}/variants/${v.id}`, { prices: parsePrices(x.prices) }); toast(`${v.sku}: prices saved`);
    });
    return h('li', {}, f);
  }));
  const addVariant = onSubmit(h('form', { class: 'form', 'aria-label': 'New variant' }, h('h3', {}, 'New variant'), field('SKU', { name: 'sku', required: true }),
    field('Title', { name: 'title' }), field('Prices (e.g. 19.99 USD)', { name: 'prices', required: true }), h('button', { type: 'submit' }, 'Add variant')), async (x) => {
    await post(`/products/${id}/variants`, { sku: x.sku, title: x.title, prices: parsePrices(x.prices) }, { idempotent: true }); toast(`${x.sku} added`); reload();
  });
  show(p.title, h('h1', {}, p.title), form, h('h2', {}, 'Images'), images, upload, h('h2', {}, 'Variants'), variants, addVariant);
}

async function stock(query) {
  const sku = query.get('sku');
  const find = onSubmit(h('form', { class: 'row', role: 'search' }, field('SKU', { name: 'sku', value: sku || '' }), h('button', { type: 'submit' }, 'Show')),
    async (v) => { location.hash = `#/stock?sku=${encodeURIComponent(v.sku || '')}`; });
  if (!sku) {
    const low = await get('/admin/inventory' + qs({ low_stock: 'true', limit: 50 }));
    show('Stock', h('h1', {}, 'Stock'), find, h('h2', {}, 'Low stock'), h('ul', {}, low.data.map((s) => h('li', {}, h('a', { href: `#/stock?sku=${encodeURIComponent(s.sku)}` }, s.sku), ` — ${s.available} available`))));
    return;
  }
  const [s, moves] = await Promise.all([get(`/admin/inventory/${encodeURIComponent(sku)}`), get('/admin/inventory/movements' + qs({ sku, limit: 20 })).catch(() => ({ data: [] }))]);
  const set = onSubmit(h('form', { class: 'form', 'aria-label': 'Set stock' }, field('Warehouse', { name: 'warehouse', value: 'main', required: true }),
    field('On hand', { name: 'on_hand', type: 'number', min: 0, required: true }), field('Low-stock threshold', { name: 'low_stock_threshold', type: 'number', min: 0 }),
    h('button', { type: 'submit' }, 'Set')), async (v) => {
    await put(`/admin/inventory/${encodeURIComponent(sku)}`, { warehouse: v.warehouse, on_hand: Number(v.on_hand), low_stock_threshold: v.low_stock_threshold ? Number(v.low_stock_threshold) : undefined });
    toast('Stock set');
    stock(query);
  });
  show(`Stock ${sku}`, h('h1', {}, `Stock of ${sku}`), find, h('p', {}, `Available ${s.available}, reserved ${s.reserved}`),
    h('table', {}, h('thead', {}, h('tr', {}, ['Warehouse', 'On hand', 'Reserved', 'Threshold'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, s.levels.map((l) => h('tr', {}, h('td', {}, l.warehouse), h('td', { class: 'num' }, String(l.on_hand)), h('td', { class: 'num' }, String(l.reserved)), h('td', { class: 'num' }, String(l.low_stock_threshold ?? '')))))),
    set, h('h2', {}, 'Movements'), h('ul', {}, moves.data.map((m) => h('li', {}, `${date(m.created_at)} ${m.warehouse}: ${m.delta > 0 ? '+' : ''}${m.delta} ${m.reason}${m.order_id ? ` (${m.order_id})` : ''}`))));
}

async function users(query) {
  const q = query.get('q') || '';
  const r = await get('/admin/users' + qs({ q, limit: 50 }));
  const f = onSubmit(h('form', { class: 'row', role: 'search' }, field('Email or name', { name: 'q', value: q, type: 'search' }), h('button', { type: 'submit' }, 'Find')),
    async (v) => { location.hash = `#/users?q=${encodeURIComponent(v.q || '')}`; });
  const change = async (u, body, what, undo) => {
    try {
      await patch(`/admin/users/${u.id}`, body);
      toast(`${u.email}: ${what}`);
    } catch (err) {
      toast(err.message);
      undo();
    }
  };
  const row = (u) => {
    const role = h('select', { id: `role-${u.id}` }, ['customer', 'vendor', 'admin'].map((x) => h('option', { value: x, selected: x === u.role }, x)));
    role.addEventListener('change', () => change(u, { role: role.value }, `now ${role.value}`, () => { role.value = u.role; }));
    const off = h('input', { type: 'checkbox', id: `off-${u.id}`, checked: u.disabled });
    off.addEventListener('change', () => change(u, { disabled: off.checked }, off.checked ? 'disabled' : 'enabled', () => { off.checked = u.disabled; }));
    return h('tr', {}, h('td', {}, `${u.name} <${u.email}>`),
      h('td', {}, h('label', { class: 'sr', for: `role-${u.id}` }, `Role of ${u.email}`), role),
      h('td', {}, h('label', { class: 'sr', for: `off-${u.id}` }, `Disable ${u.email}`), off));
  };
  const table = h('table', {}, h('thead', {}, h('tr', {}, ['User', 'Role', 'Disabled'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, r.data.map(row)));
  show('Users', h('h1', {}, 'Users and roles'), f, h('div', { class: 'table-wrap' }, table));
}

async function returns() {
  const r = await get('/admin/returns' + qs({ limit: 50 }));
  const step = (ret, what) => h('button', { class: 'secondary', type: 'button', onclick: async () => {
    try { await post(`/admin/returns/${ret.id}/${what}`, {}, { idempotent: true }); toast(`Return ${ret.id}: ${what}`); returns(); } catch (e) { toast(e.message); }
  } }, what);
  show('Returns', h('h1', {}, 'Returns'), r.data.length ? h('ul', {}, r.data.map((x) => h('li', {}, h('a', { href: `#/orders/${x.order_id}` }, x.order_id), ` · ${x.status} · ${x.reason || ''} `,
    x.status === 'requested' ? [step(x, 'approve'), step(x, 'reject')] : x.status === 'approved' ? [step(x, 'receive'), step(x, 'reject')] : null))) : h('p', {}, 'No returns.'));
}

async function events() {
  const r = await get('/admin/events');
  show('Event bus', h('h1', {}, 'Event bus'), h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['Consumer', 'Source', 'Position', 'Head', 'Lag', 'Retrying', 'Parked'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, r.consumers.map((c) => h('tr', {}, h('td', {}, c.consumer), h('td', {}, c.source), ...[c.position, c.head, c.lag, c.retrying, c.parked].map((n) => h('td', { class: 'num' }, String(n)))))))),
  h('h2', {}, 'Parked events'), r.parked.length ? h('ul', {}, r.parked.map((p) => h('li', {}, `${p.type} for ${p.consumer} after ${p.attempts} tries: ${p.last_error} `,
    h('button', { type: 'button', onclick: async () => { const x = await post(`/admin/events/${p.event_id}/replay`, {}); toast(`Replayed: ${JSON.stringify(x)}`); events(); } }, 'Replay'))))
    : h('p', {}, 'No parked events.'));
}

// ---- promotions, shipping and tax ----
const minorOf = (text) => Math.round(parseFloat(String(text).replace(',', '.')) * 100);

async function promotions() {
  const r = await get('/admin/promotions' + qs({ limit: 100 }));
  const toggle = (p) => {
    const box = h('input', { type: 'checkbox', id: `active-${p.id}`, checked: p.active });
    box.addEventListener('change', async () => {
      try { await patch(`/admin/promotions/${p.id}`, { active: box.checked }); toast(`${p.code || p.name}: ${box.checked ? 'on' : 'off'}`); } catch (e) { box.checked = !box.checked; toast(e.message); }
    });
    return h('td', {}, h('label', { class: 'sr', for: `active-${p.id}` }, `Active: ${p.code || p.name}`), box);
  };
  const what = (p) => p.kind === 'percent' ? `${p.percent} %` : p.kind === 'fixed' ? money(p.amount) : 'free shipping';
  const table = h('table', {}, h('thead', {}, h('tr', {}, ['Code', 'Name', 'Discount', 'Used', 'Limit', 'Ends', 'Active'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, r.data.map((p) => h('tr', {}, h('td', {}, p.code || 'automatic'), h('td', {}, p.name), h('td', {}, what(p)), h('td', { class: 'num' }, String(p.times_used)),
      h('td', { class: 'num' }, p.usage_limit ? String(p.usage_limit) : '∞'), h('td', {}, p.ends_at ? date(p.ends_at) : '—'), toggle(p)))));
  const form = onSubmit(h('form', { class: 'form', 'aria-label': 'New coupon' }, h('h2', {}, 'New coupon'),
    field('Code', { name: 'code', required: true, autocomplete: 'off' }), field('Name', { name: 'name' }),
    field('Kind', { name: 'kind', options: [['percent', 'Percent off'], ['fixed', 'Amount off'], ['free_shipping', 'Free shipping']] }, 'select'),
    field('Percent (1–100)', { name: 'percent', inputmode: 'numeric' }), field('Amount off (e.g. 5.00, in USD)', { name: 'amount', inputmode: 'decimal' }),
    field('Usage limit (empty: none)', { name: 'usage_limit', inputmode: 'numeric' }),
    h('button', { type: 'submit' }, 'Create coupon')), async (v) => {
    const body = { code: v.code, name: v.name, kind: v.kind };
    if (v.kind === 'percent') body.percent = Number(v.percent);
    if (v.kind === 'fixed') body.amount = { amount: minorOf(v.amount), currency: 'USD' };
    if (v.usage_limit) body.usage_limit = Number(v.usage_limit);
    await post('/admin/promotions', body, { idempotent: true });
    toast(`Coupon ${v.code.toUpperCase()} created`);
    promotions();
  });
  show('Promotions', h('h1', {}, 'Promotions'), h('div', { class: 'table-wrap' }, table), form);
}

async function shipping() {
  const [methods, rates] = await Promise.all([get('/admin/shipping-methods'), get('/admin/tax-rates' + qs({ limit: 100 }))]);
  const mTable = h('table', {}, h('thead', {}, h('tr', {}, ['Code', 'Name', 'Prices', 'Countries', 'Active'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, methods.data.map((m) => h('tr', {}, h('td', {}, m.code), h('td', {}, m.name),
      h('td', {}, m.rates.map((x) => money(x.price) + (x.free_over ? ` (free over ${money(x.free_over)})` : '')).join(', ')),
      h('td', {}, m.countries.length ? m.countries.join(' ') : 'anywhere'), h('td', {}, m.active ? 'yes' : 'no')))));
  const mForm = onSubmit(h('form', { class: 'form', 'aria-label': 'New shipping method' }, h('h2', {}, 'New shipping method'),
    field('Code', { name: 'code', required: true }), field('Name', { name: 'name', required: true }),
    field('Price in USD', { name: 'price', required: true, inputmode: 'decimal' }), field('Free over (USD, optional)', { name: 'free_over', inputmode: 'decimal' }),
    field('Countries (2 letters, spaces between; empty: anywhere)', { name: 'countries' }), h('button', { type: 'submit' }, 'Add method')), async (v) => {
    const body = { code: v.code, name: v.name, price: { amount: minorOf(v.price), currency: 'USD' } };
    if (v.free_over) body.free_over = { amount: minorOf(v.free_over), currency: 'USD' };
    if (v.countries) body.countries = v.countries.trim().split(/\s+/);
    await post('/admin/shipping-methods', body, { idempotent: true });
    toast(`Shipping method ${v.code} added`);
    shipping();
  });
  const tTable = h('table', {}, h('thead', {}, h('tr', {}, ['Country', 'Region', 'Class', 'Rate', 'Name'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rates.data.map((t) => h('tr', {}, h('td', {}, t.country), h('td', {}, t.region || 'all'), h('td', {}, t.tax_class),
      h('td', { class: 'num' }, `${(t.rate_bp / 100).toFixed(2)} %`), h('td', {}, t.name)))));
  const tForm = onSubmit(h('form', { class: 'form', 'aria-label': 'New tax rate' }, h('h2', {}, 'New tax rate'),
    field('Country (2 letters)', { name: 'country', required: true }), field('Region (optional)', { name: 'region' }),
    field('Rate in percent (e.g. 19 or 8.875)', { name: 'rate', required: true, inputmode: 'decimal' }), field('Tax class', { name: 'tax_class', value: 'standard' }),
    field('Name', { name: 'name' }), h('button', { type: 'submit' }, 'Add rate')), async (v) => {
    const body = { country: v.country, rate_bp: Math.round(parseFloat(v.rate) * 100), tax_class: v.tax_class || 'standard' };
    if (v.region) body.region = v.region;
    if (v.name) body.name = v.name;
    await post('/admin/tax-rates', body, { idempotent: true });
    toast('Tax rate added');
    shipping();
  });
  show('Shipping and tax', h('h1', {}, 'Shipping and tax'), h('h2', {}, 'Shipping methods'), h('div', { class: 'table-wrap' }, mTable), mForm,
    h('h2', {}, 'Tax rates'), h('div', { class: 'table-wrap' }, tTable), tForm);
}

// ---- notification templates (with a preview) and the delivery log ----
async function notifications(query) {
  const status = query.get('status') || '';
  const [templates, log] = await Promise.all([get('/admin/notification-templates'), get('/admin/notifications' + qs({ status, limit: 50 }))]);
  const list = h('ul', { 'aria-label': 'Templates' }, templates.data.map((t) => h('li', {}, h('a', { href: `#/template/${t.key}` }, t.key),
    ` · ${t.event} · to ${t.recipient} · ${t.templates.map((x) => x.channel + (x.customized ? ' (edited)' : '')).join(', ')}`)));
  const filter = h('p', { class: 'row' }, ['', 'queued', 'sent', 'failed'].map((x) => h('a', { href: `#/notifications${x ? '?status=' + x : ''}`, 'aria-current': x === status ? 'page' : undefined }, x || 'all')));
  const rows = log.data.map((m) => h('tr', {}, h('td', {}, date(m.created_at)), h('td', {}, m.template_key), h('td', {}, m.channel), h('td', {}, m.recipient),
    h('td', {}, m.status), h('td', { class: 'num' }, String(m.attempts)),
    h('td', {}, m.attempt_log.map((a) => `#${a.attempt} ${a.outcome}${a.error ? ': ' + a.error : ''}`).join(' · ') || '—')));
  const table = h('table', { id: 'delivery-log' }, h('thead', {}, h('tr', {}, ['Queued', 'Template', 'Channel', 'To', 'Status', 'Attempts', 'Attempt log'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows));
  show('Notifications', h('h1', {}, 'Notifications'), h('h2', {}, 'Templates'), list, h('h2', {}, 'Delivery log'), filter, h('div', { class: 'table-wrap' }, table));
}

async function template(_query, key) {
  const t = await get(`/admin/notification-templates/${key}`);
  const out = h('div', { class: 'preview', id: 'template-preview', 'aria-live': 'polite' });
  const forms = t.templates.map((v) => {
    const form = h('form', { class: 'form', 'aria-label': `${v.channel} template (${v.locale})` }, h('h2', {}, `${v.channel} · ${v.locale}${v.customized ? ' · edited' : ''}`),
      field('Subject', { name: 'subject', value: v.subject }), field('Body', { name: 'body', rows: 8 }, 'textarea'),
      h('p', { class: 'row' }, h('button', { type: 'submit' }, 'Save'), h('button', { type: 'button', class: 'secondary', onclick: async () => {
        try {
          const p = await post(`/admin/notification-templates/${key}/preview`, { channel: v.channel, locale: v.locale, subject: form.elements.subject.value, body: form.elements.body.value });
          out.replaceChildren(h('h3', {}, p.subject), h('pre', {}, p.text));
        } catch (e) { toast(e.message); }
      } }, 'Preview')));
    form.elements.body.value = v.body;
    return onSubmit(form, async (x) => {
      await put(`/admin/notification-templates/${key}`, { channel: v.channel, locale: v.locale, subject: x.subject || '', body: x.body || '' });
      toast(`${key} (${v.channel}) saved`);
    });
  });
  show(`Template ${key}`, h('h1', {}, `Template ${key}`), h('p', {}, `Sent on ${t.event} to ${t.recipient}. Variables: `, t.variables.map((x) => h('code', {}, `{{${x}}} `)),
    ...Object.entries(t.lists || {}).map(([l, f]) => h('span', {}, ` list ${l}: `, f.map((x) => h('code', {}, `{{${x}}} `))))), ...forms, out,
    h('p', {}, h('a', { href: '#/notifications' }, 'All templates and the delivery log')));
}

// ---- outbound webhooks: endpoints, their delivery log, redelivery ----
async function webhooks() {
  const [r, types] = await Promise.all([get('/admin/webhooks' + qs({ limit: 100 })), get('/admin/webhooks/event-types')]);
  const table = h('table', {}, h('thead', {}, h('tr', {}, ['URL', 'Events', 'State'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, r.data.map((w) => h('tr', {}, h('td', {}, h('a', { href: `#/webhook/${w.id}` }, w.url)), h('td', {}, w.event_types.join(', ')),
      h('td', {}, w.enabled ? 'enabled' : `disabled${w.disabled_reason ? ': ' + w.disabled_reason : ''}`)))));
  const secret = h('div', { 'aria-live': 'polite' });
  const form = onSubmit(h('form', { class: 'form', 'aria-label': 'New webhook endpoint' }, h('h2', {}, 'New endpoint'),
    field('URL', { name: 'url', type: 'url', required: true, placeholder: 'https://example.com/hooks/shop' }),
    field('Event types', { name: 'event_types', multiple: true, size: 8, options: [['*', 'every event'], ...types.data.map((t) => [t.type, `${t.type} (${t.source})`])] }, 'select'),
    field('Description', { name: 'description' }), h('button', { type: 'submit' }, 'Add endpoint')), async (_v, f) => {
    const chosen = [...f.elements.event_types.selectedOptions].map((o) => o.value);
    const w = await post('/admin/webhooks', { url: f.elements.url.value, event_types: chosen.length ? chosen : ['*'], description: f.elements.description.value || undefined }, { idempotent: true });
    secret.replaceChildren(h('p', { class: 'ok' }, 'Endpoint added. Its signing secret, shown this once: ', h('code', { id: 'webhook-secret' }, w.secret)));
    toast('Endpoint added');
  });
  show('Webhooks', h('h1', {}, 'Outbound webhooks'), h('p', {}, 'Each event is POSTed as JSON, signed in Shop-Signature (HMAC-SHA256 of "t.body" with the secret), retried for about a day.'),
    h('div', { class: 'table-wrap' }, table), form, secret);
}

async function webhook(_query, id) {
  const [w, d] = await Promise.all([get(`/admin/webhooks/${id}`), get(`/admin/webhooks/${id}/deliveries` + qs({ limit: 50 }))]);
  const act = (label, fn) => h('button', { type: 'button', class: 'secondary', onclick: async () => { try { await fn(); } catch (e) { toast(e.message); } } }, label);
  const secret = h('div', { 'aria-live': 'polite' });
  const controls = h('p', { class: 'row' },
    act(w.enabled ? 'Disable' : 'Enable', async () => { await patch(`/admin/webhooks/${id}`, { enabled: !w.enabled }); webhook(null, id); }),
    act('Rotate secret', async () => { const x = await post(`/admin/webhooks/${id}/rotate-secret`, {}); secret.replaceChildren(h('p', {}, 'New secret, shown this once: ', h('code', {}, x.secret))); }),
    act('Delete', async () => { if (!window.confirm(`Delete ${w.url} and its delivery log?`)) return; await api('DELETE', `/admin/webhooks/${id}`); location.hash = '#/webhooks'; }));
  const rows = d.data.map((x) => h('tr', {}, h('td', {}, date(x.created_at)), h('td', {}, x.event_type), h('td', {}, x.status), h('td', { class: 'num' }, String(x.attempts)),
    h('td', {}, x.attempt_log.map((a) => `#${a.attempt} ${a.http_status ?? 'no answer'} ${a.duration_ms} ms${a.error ? ' ' + a.error : ''}`).join(' · ') || '—'),
    h('td', {}, act('Redeliver', async () => { await post(`/admin/webhooks/${id}/deliveries/${x.id}/redeliver`, {}); toast('Queued again'); webhook(null, id); }))));
  show(`Webhook ${w.url}`, h('h1', {}, w.url), h('p', {}, `${w.enabled ? 'Enabled' : 'Disabled'}${w.disabled_reason ? ' — ' + w.disabled_reason : ''} · events: ${w.event_types.join(', ')}`),
    controls, secret, h('h2', {}, 'Deliveries'),
    h('div', { class: 'table-wrap' }, h('table', { id: 'webhook-deliveries' }, h('thead', {}, h('tr', {}, ['Queued', 'Event', 'Status', 'Attempts', 'Attempt log', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows))),
    h('p', {}, h('a', { href: '#/webhooks' }, 'All endpoints')));
}

function nav() {
  const admin = user.role === 'admin';
  const items = admin ? [['#/', 'Dashboard'], ['#/orders', 'Orders'], ['#/returns', 'Returns'], ['#/products', 'Products'], ['#/stock', 'Stock'], ['#/promotions', 'Promotions'], ['#/shipping', 'Shipping & tax'], ['#/users', 'Users'], ['#/notifications', 'Notifications'], ['#/webhooks', 'Webhooks'], ['#/events', 'Events'], ['#/trace', 'Traces']]
    : [['#/products', 'Products'], ['#/stock', 'Stock']];
  document.getElementById('admin-nav').replaceChildren(...items.map(([href, t]) => h('a', { href }, t)), h('span', { class: 'muted' }, user.email),
    h('button', { class: 'secondary', type: 'button', onclick: async () => { await post('/auth/web/logout'); user = null; document.getElementById('admin-nav').replaceChildren(); signIn(); } }, 'Sign out'));
}

let started = false;
function start() {
  if (!user) return signIn();
  if (user.role !== 'admin' && user.role !== 'vendor') {
    show('No access', h('h1', {}, 'No access'), h('p', {}, 'The admin pages are for admins and vendors. ', h('a', { href: '/' }, 'Go to the storefront')));
    return;
  }
  nav();
  if (started) { window.dispatchEvent(new HashChangeEvent('hashchange')); return; }
  started = true;
  startRouter([[/^\/$/, dashboard], [/^\/orders$/, orders], [/^\/orders\/([^/]+)$/, order], [/^\/returns$/, returns], [/^\/products$/, products],
    [/^\/product\/([^/]+)$/, productEdit], [/^\/stock$/, stock], [/^\/users$/, users], [/^\/events$/, events], [/^\/promotions$/, promotions], [/^\/shipping$/, shipping],
    [/^\/notifications$/, notifications], [/^\/template\/([^/]+)$/, template], [/^\/webhooks$/, webhooks], [/^\/webhook\/([^/]+)$/, webhook], [/^\/trace$/, trace], [/^\/trace\/([^/]+)$/, trace]],
  () => show('Not found', h('h1', {}, 'Not found')));
}

currentUser().then((u) => { user = u; start(); }).catch((e) => toast(e.message));
