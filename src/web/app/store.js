// The storefront: catalog, search, product, cart, guest checkout with the sandbox card (3-D Secure
// included), orders and the account. Hash routes (#/p/<slug>) so every page is a link.
import { api, get, post, put, patch, del, qs, currentUser, randomHex, ApiError } from './api.js';
import { h, money, date, day, show, toast, startRouter, currentRoute, formError, field, onSubmit } from './ui.js';

const state = { user: null, currency: localStorage.getItem('currency') || '', categories: [] };

// ---- stored client state: the cart and the orders a guest placed (their cart tokens) ----
const store = {
  get cart() { try { return JSON.parse(localStorage.getItem('cart')) || null; } catch { return null; } },
  set cart(c) { if (c) localStorage.setItem('cart', JSON.stringify({ id: c.id, token: c.token || null })); else localStorage.removeItem('cart'); },
  get orders() { try { return JSON.parse(localStorage.getItem('guestOrders')) || []; } catch { return []; } },
  addOrder(o, token) {
    const list = store.orders.filter((x) => x.id !== o.id);
    list.unshift({ id: o.id, number: o.number, token });
    localStorage.setItem('guestOrders', JSON.stringify(list.slice(0, 20)));
  },
  tokenOf(orderId) { const o = store.orders.find((x) => x.id === orderId); return o ? o.token : undefined; },
};

const cur = () => (state.currency ? { currency: state.currency } : {});

async function loadCart() {
  const c = store.cart;
  if (!c) return null;
  try {
    return await get(`/carts/${c.id}`, { cartToken: c.token });
  } catch (e) {
    if (e.status === 404 || e.status === 403) { store.cart = null; return null; }
    throw e;
  }
}

async function ensureCart() {
  const existing = await loadCart();
  if (existing && existing.status === 'open') return existing;
  const c = await post('/carts', state.currency ? { currency: state.currency } : {});
  store.cart = c;
  return c;
}

function cartCount(cart) {
  const n = cart ? cart.lines.reduce((s, l) => s + l.quantity, 0) : 0;
  document.getElementById('cart-count').textContent = String(n);
  document.getElementById('cart-link').setAttribute('aria-label', `Cart, ${n} item${n === 1 ? '' : 's'}`);
}

// ---- product cards, facets, listing pages ----
function stars(rating) {
  if (!rating || !rating.count) return h('span', { class: 'muted' }, 'No reviews yet');
  return h('span', { 'aria-label': `Rated ${rating.average.toFixed(1)} out of 5 by ${rating.count}` }, `★ ${rating.average.toFixed(1)} (${rating.count})`);
}

function productCard(p) {
  const img = p.image ? h('img', { src: p.image.url || p.image, alt: p.image.alt || '', loading: 'lazy' })
    : (p.images && p.images[0]) ? h('img', { src: p.images[0].url, alt: p.images[0].alt || '', loading: 'lazy' })
      : h('div', { class: 'ph', 'aria-hidden': 'true' }, p.title.slice(0, 1));
  const price = p.price || (p.variants && p.variants[0] && p.variants[0].price);
  return h('li', { class: 'card' }, img,
    h('a', { href: `#/p/${encodeURIComponent(p.slug)}` }, p.title),
    p.brand ? h('span', { class: 'muted' }, p.brand.name) : null,
    h('span', { class: 'price' }, money(price)),
    p.in_stock === false ? h('span', { class: 'bad' }, 'Out of stock') : null,
    stars(p.rating));
}

const SORTS = [['relevance', 'Relevance'], ['price', 'Price: low to high'], ['-price', 'Price: high to low'], ['newest', 'Newest'], ['rating', 'Top rated']];

/** A search-backed listing: a query, a category or a brand, with facets and sorts in the hash. */
async function listing(title, fixed, query) {
  const params = {
    q: query.get('q') || undefined, sort: query.get('sort') || (fixed.q ? 'relevance' : 'newest'), category: query.get('category') || fixed.category,
    brand: query.get('brand') || fixed.brand, min_rating: query.get('min_rating'), in_stock: query.get('in_stock'),
    min_price: query.get('min_price'), max_price: query.get('max_price'), limit: 24, cursor: query.get('cursor'), ...cur(),
  };
  // A query searches (relevance, facets, did-you-mean); a category or brand page lists the catalog
  // with its filters and sorts (the search needs a query).
  let r;
  if (params.q) {
    r = await get('/search' + qs(params));
  } else {
    const sort = { rating: '-rating', relevance: 'newest' }[params.sort] || params.sort;
    r = await get('/products' + qs({ category: params.category, brand: params.brand, min_price: params.min_price, max_price: params.max_price,
      sort, limit: 24, cursor: params.cursor, ...cur() }));
    r.total = r.data.length + (r.next_cursor ? '+' : '');
    r.currency = state.currency;
  }
  const base = currentRoute().path;
  const link = (changes) => {
    const q = new URLSearchParams(query);
    q.delete('cursor');
    for (const [k, v] of Object.entries(changes)) if (v === null) q.delete(k); else q.set(k, v);
    return `#${base}?${q}`;
  };
  const facet = (legend, name, items, label) => h('fieldset', {}, h('legend', {}, legend), items.filter((i) => i.count > 0).map((i) => {
    const value = i.slug || i.value;
    const on = (query.get(name) || '') === String(value);
    return h('label', {}, h('input', { type: 'checkbox', checked: on, onchange: () => { location.hash = link({ [name]: on ? null : value }); } }),
      ` ${label(i)} (${i.count})`);
  }));
  const f = r.facets || {};
  const facets = h('aside', { class: 'facets', 'aria-label': 'Filters' },
    fixed.brand ? null : facet('Brand', 'brand', f.brand || [], (i) => i.name),
    fixed.category ? null : facet('Category', 'category', f.category || [], (i) => i.name),
    facet('Price', 'max_price', (f.price || []).filter((b) => b.to).map((b) => ({ ...b, value: b.to })), (b) => `up to ${money({ amount: b.to, currency: r.currency })}`),
    facet('Rating', 'min_rating', (f.rating || []).map((b) => ({ ...b, value: b.min })), (b) => `${b.min}★ and up`),
    params.q ? h('label', {}, h('input', { type: 'checkbox', checked: query.get('in_stock') === 'true',
      onchange: (e) => { location.hash = link({ in_stock: e.target.checked ? 'true' : null }); } }), ' In stock only') : null,
    params.q ? null : priceRange(query, link));
  const sort = h('select', { id: 'sort', onchange: (e) => { location.hash = link({ sort: e.target.value }); } },
    SORTS.filter(([v]) => v !== 'relevance' || params.q).map(([v, t]) => h('option', { value: v, selected: v === params.sort }, t)));
  const dym = r.suggestion ? h('p', { class: 'dym' }, 'Did you mean ', h('a', { href: `#/search?q=${encodeURIComponent(r.suggestion)}` }, r.suggestion), '?') : null;
  show(title, h('h1', {}, title), dym,
    h('div', { class: 'row' }, h('span', { role: 'status' }, `${r.total} product${r.total === 1 ? '' : 's'}${params.q ? '' : ' on this page'}`), h('label', { for: 'sort' }, 'Sort by'), sort),
    h('div', { class: 'layout' }, facets, h('section', { 'aria-label': 'Results' },
      r.data.length ? h('ul', { class: 'grid' }, r.data.map(productCard)) : h('p', {}, 'Nothing matches. Try fewer filters or another word.'),
      r.next_cursor ? h('p', {}, h('a', { href: link({ cursor: r.next_cursor }) }, 'More results')) : null)));
}

/** Price bounds (in the shown currency's major units) for the catalog listings. */
function priceRange(query, link) {
  const form = h('form', { class: 'form', 'aria-label': 'Price range' }, h('fieldset', {}, h('legend', {}, 'Price'),
    field('From', { name: 'min', inputmode: 'decimal', value: query.get('min_price') ? Number(query.get('min_price')) / 100 : '' }),
    field('To', { name: 'max', inputmode: 'decimal', value: query.get('max_price') ? Number(query.get('max_price')) / 100 : '' }),
    h('button', { type: 'submit' }, 'Apply')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const minor = (v) => (v === '' ? null : String(Math.round(Number(v) * 100)));
    location.hash = link({ min_price: minor(form.elements.min.value), max_price: minor(form.elements.max.value) });
  });
  return form;
}

function findCategory(slug, nodes = state.categories) {
  for (const c of nodes) {
    if (c.slug === slug) return c;
    const d = findCategory(slug, c.children || []);
    if (d) return d;
  }
  return null;
}

// ---- pages ----
async function home() {
  const featured = await get('/products' + qs({ limit: 8, sort: '-rating', ...cur() }));
  const newest = await get('/products' + qs({ limit: 8, sort: 'newest', ...cur() }));
  show('', h('h1', {}, 'Welcome to shop'),
    h('section', { 'aria-labelledby': 'cat-h' }, h('h2', { id: 'cat-h' }, 'Shop by category'),
      h('ul', { class: 'grid' }, state.categories.map((c) => h('li', { class: 'card' }, h('a', { href: `#/c/${c.slug}` }, c.name),
        h('span', { class: 'muted' }, (c.children || []).map((x) => x.name).join(', ')))))),
    h('section', { 'aria-labelledby': 'feat-h' }, h('h2', { id: 'feat-h' }, 'Featured'), h('ul', { class: 'grid' }, featured.data.map(productCard))),
    h('section', { 'aria-labelledby': 'new-h' }, h('h2', { id: 'new-h' }, 'New in'), h('ul', { class: 'grid' }, newest.data.map(productCard))));
}

async function category(query, slug) {
  const c = findCategory(slug);
  await listing(c ? c.name : slug, { category: slug }, query);
}

async function brand(query, slug) {
  const brands = await get('/brands' + qs({ limit: 100 }));
  const b = (brands.data || []).find((x) => x.slug === slug);
  await listing(b ? b.name : slug, { brand: slug }, query);
}

async function search(query) {
  const q = query.get('q') || '';
  document.getElementById('q').value = q;
  await listing(q ? `Results for “${q}”` : 'All products', { q }, query);
}

async function product(query, slug) {
  const p = await get(`/products/${encodeURIComponent(slug)}` + qs(cur()));
  const [reviews, recs] = await Promise.all([
    get(`/products/${p.id}/reviews` + qs({ limit: 10 })).catch(() => ({ data: [] })),
    get(`/products/${p.id}/recommendations` + qs({ limit: 4, ...cur() })).catch(() => ({ data: [] })),
  ]);
  let variant = p.variants.find((v) => v.sku === query.get('sku')) || p.variants[0];
  const priceEl = h('p', { class: 'price', 'aria-live': 'polite' });
  const stockEl = h('p', { id: 'stock', 'aria-live': 'polite' });
  const qty = h('input', { id: 'qty', name: 'quantity', type: 'number', min: 1, max: 99, value: 1, inputmode: 'numeric' });
  const addBtn = h('button', { type: 'submit' }, 'Add to cart');
  const refresh = async () => {
    priceEl.textContent = money(variant.price) + (variant.price && variant.price.converted ? ' (converted)' : '');
    stockEl.textContent = 'Checking stock…';
    try {
      const s = await get(`/inventory/${encodeURIComponent(variant.sku)}`);
      stockEl.textContent = s.in_stock ? (s.available <= 5 ? `Only ${s.available} left` : 'In stock') : s.backorderable ? 'Backorder' : 'Out of stock';
      stockEl.className = s.in_stock || s.backorderable ? 'ok' : 'bad';
      addBtn.disabled = !(s.in_stock || s.backorderable);
    } catch { stockEl.textContent = ''; }
  };
  const variantPicker = p.variants.length > 1 ? h('label', { for: 'variant' }, 'Variant',
    h('select', { id: 'variant', onchange: (e) => { variant = p.variants.find((v) => v.sku === e.target.value); refresh(); } },
      p.variants.map((v) => h('option', { value: v.sku, selected: v === variant }, v.title || v.sku)))) : null;
  const form = onSubmit(h('form', { class: 'form', 'aria-label': 'Add to cart' }, variantPicker, h('label', { for: 'qty' }, 'Quantity', qty), addBtn),
    async () => {
      const cart = await ensureCart();
      const c = await post(`/carts/${cart.id}/items`, { sku: variant.sku, quantity: Number(qty.value) }, { cartToken: store.cart.token });
      cartCount(c);
      toast(`Added ${p.title} to your cart`);
    });
  const images = p.images.length ? h('div', { class: 'stack' }, p.images.map((i) => h('img', { class: 'thumb', src: i.url, alt: i.alt || p.title })))
    : h('div', { class: 'ph', 'aria-hidden': 'true' }, p.title.slice(0, 1));
  const wish = state.user ? h('button', { class: 'secondary', type: 'button', onclick: async () => {
    await post('/me/wishlist', { product_id: p.id });
    toast('Saved to your wishlist');
  } }, '♡ Save to wishlist') : null;
  const reviewForm = state.user ? onSubmit(h('form', { class: 'form', 'aria-label': 'Write a review' }, h('h3', {}, 'Write a review'),
    field('Rating', { name: 'rating', options: [['5', '5 – excellent'], ['4', '4'], ['3', '3'], ['2', '2'], ['1', '1 – poor']] }, 'select'),
    field('Title', { name: 'title', maxlength: 200 }), field('Review', { name: 'body', rows: 3 }, 'textarea'), h('button', { type: 'submit' }, 'Send review')),
  async (v, f) => {
    await post(`/products/${p.id}/reviews`, { rating: Number(v.rating), title: v.title, body: v.body });
    f.replaceChildren(h('p', { class: 'ok' }, 'Thank you: your review will appear once approved.'));
  }) : h('p', {}, h('a', { href: '#/account' }, 'Sign in'), ' to write a review.');
  show(p.title, h('p', {}, h('a', { href: '#/' }, 'Home'), p.categories[0] ? [' › ', h('a', { href: `#/c/${p.categories[0].slug}` }, p.categories[0].name)] : null),
    h('div', { class: 'layout' }, images, h('div', { class: 'stack' }, h('h1', {}, p.title),
      p.brand ? h('p', {}, 'by ', h('a', { href: `#/b/${p.brand.slug}` }, p.brand.name)) : null,
      stars(p.rating), priceEl, stockEl, form, wish, h('p', {}, p.description || ''),
      p.attributes && p.attributes.length ? h('dl', {}, p.attributes.map((a) => [h('dt', {}, a.name || a.code), h('dd', {}, String(a.value))])) : null)),
    recs.data.length ? h('section', { 'aria-labelledby': 'rec-h' }, h('h2', { id: 'rec-h' }, 'Bought together'), h('ul', { class: 'grid' }, recs.data.map(productCard))) : null,
    h('section', { 'aria-labelledby': 'rev-h' }, h('h2', { id: 'rev-h' }, 'Reviews'),
      reviews.data.length ? h('ul', {}, reviews.data.map((r) => h('li', {}, h('strong', {}, `${'★'.repeat(r.rating)} ${r.title || ''}`),
        r.verified_purchase ? h('span', { class: 'ok' }, ' · verified purchase') : null, h('p', {}, r.body || '')))) : h('p', { class: 'muted' }, 'No reviews yet.'),
      reviewForm));
  await refresh();
}

async function cartPage() {
  const cart = await loadCart();
  cartCount(cart);
  if (!cart || !cart.lines.length) {
    show('Cart', h('h1', {}, 'Your cart'), h('p', {}, 'Your cart is empty. ', h('a', { href: '#/' }, 'Keep shopping')));
    return;
  }
  const token = store.cart.token;
  const rows = cart.lines.map((l) => {
    const input = h('input', { type: 'number', min: 0, max: 99, value: l.quantity, id: `qty-${l.id}`, inputmode: 'numeric' });
    input.addEventListener('change', async () => {
      try {
        await patch(`/carts/${cart.id}/items/${l.id}`, { quantity: Number(input.value) }, { cartToken: token });
        cartPage();
      } catch (e) { toast(e.message); }
    });
    return h('tr', {}, h('td', {}, h('a', { href: `#/p/${l.product_id}` }, l.title), l.in_stock === false ? h('div', { class: 'bad' }, 'Not enough stock') : null),
      h('td', {}, h('label', { class: 'sr', for: `qty-${l.id}` }, `Quantity of ${l.title}`), input),
      h('td', { class: 'num' }, money(l.unit_price)), h('td', { class: 'num' }, money(l.line_total)),
      h('td', {}, h('button', { class: 'secondary', type: 'button', 'aria-label': `Remove ${l.title}`, onclick: async () => {
        await del(`/carts/${cart.id}/items/${l.id}`, { cartToken: token });
        cartPage();
      } }, 'Remove')));
  });
  const coupon = cart.coupon_code
    ? h('p', {}, `Coupon ${cart.coupon_code} applied. `, h('button', { class: 'secondary', type: 'button', onclick: async () => {
      await del(`/carts/${cart.id}/coupon`, { cartToken: token });
      cartPage();
    } }, 'Remove coupon'))
    : onSubmit(h('form', { class: 'row', 'aria-label': 'Coupon' }, field('Coupon code', { name: 'code', required: true, autocomplete: 'off' }),
      h('button', { type: 'submit' }, 'Apply')), async (v) => {
      await post(`/carts/${cart.id}/coupon`, { code: v.code }, { cartToken: token });
      toast('Coupon applied');
      cartPage();
    });
  show('Cart', h('h1', {}, 'Your cart'),
    h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'sr' }, 'Cart lines'),
      h('thead', {}, h('tr', {}, ['Product', 'Quantity', 'Price', 'Total', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows))),
    coupon,
    h('table', { class: 'totals' }, h('tbody', {}, h('tr', {}, h('th', { scope: 'row' }, 'Subtotal'), h('td', {}, money(cart.subtotal))),
      cart.discount.amount ? h('tr', {}, h('th', { scope: 'row' }, `Discount${cart.promotion_code ? ` (${cart.promotion_code})` : ''}`), h('td', {}, '−' + money(cart.discount))) : null)),
    h('p', {}, h('a', { class: 'button', href: '#/checkout' }, 'Checkout')));
}

/** One W3C trace id for a whole checkout (quote, order, payment, 3-D Secure): the admin sees it as one timeline. */
function newTrace() {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

function addressFields(prefix, a = {}) {
  const f = (label, name, attrs = {}) => field(label, { name: `${prefix}${name}`, id: `${prefix}${name}`, value: a[name] || '', ...attrs });
  return [f('Full name', 'name', { required: true, autocomplete: 'name' }), f('Address', 'line1', { required: true, autocomplete: 'address-line1' }),
    f('Address line 2', 'line2', { autocomplete: 'address-line2' }),
    h('div', { class: 'two' }, f('City', 'city', { required: true, autocomplete: 'address-level2' }), f('Region', 'region', { autocomplete: 'address-level1' })),
    h('div', { class: 'two' }, f('Postal code', 'postal_code', { required: true, autocomplete: 'postal-code' }),
      f('Country (2 letters)', 'country', { required: true, maxlength: 2, autocomplete: 'country', value: a.country || 'US' })),
    f('Phone', 'phone', { type: 'tel', autocomplete: 'tel' })];
}

function addressOf(v, prefix = '') {
  const a = {};
  for (const k of ['name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country', 'phone']) if (v[prefix + k]) a[k] = v[prefix + k];
  if (a.country) a.country = a.country.toUpperCase();
  return a;
}

async function checkout() {
  const cart = await loadCart();
  if (!cart || !cart.lines.length) { location.hash = '#/cart'; return; }
  const token = store.cart.token;
  const trace = newTrace();
  let defaults = {};
  if (state.user) {
    const book = await get('/me/addresses').catch(() => ({ data: [] }));
    defaults = book.data.find((a) => a.default_shipping) || book.data[0] || {};
  }
  const methods = await get('/checkout/shipping-methods' + qs({ cart_id: cart.id }), { cartToken: token });
  const quoteEl = h('div', { 'aria-live': 'polite', id: 'quote' });
  const form = h('form', { class: 'form', id: 'checkout-form', 'aria-label': 'Checkout', novalidate: true },
    state.user ? null : field('Email', { name: 'email', type: 'email', required: true, autocomplete: 'email' }),
    h('fieldset', {}, h('legend', {}, 'Shipping address'), addressFields('', defaults)),
    h('fieldset', {}, h('legend', {}, 'Shipping method'), methods.data.map((m, i) => h('label', {},
      h('input', { type: 'radio', name: 'shipping_method', value: m.code, checked: i === 0 }), ` ${m.name} — ${money(m.price_for_cart || m.price)}`))),
    h('h2', {}, 'Order summary'), quoteEl,
    h('fieldset', {}, h('legend', {}, 'Card (sandbox)'),
      h('p', { class: 'muted' }, 'Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 3220 asks for 3-D Secure; 4000 0000 0000 0002 is declined.'),
      field('Card number', { name: 'number', inputmode: 'numeric', autocomplete: 'cc-number', required: true }),
      h('div', { class: 'two' }, field('Expiry month', { name: 'exp_month', inputmode: 'numeric', placeholder: 'MM', autocomplete: 'cc-exp-month', required: true }),
        field('Expiry year', { name: 'exp_year', inputmode: 'numeric', placeholder: 'YYYY', autocomplete: 'cc-exp-year', required: true })),
      field('CVC', { name: 'cvc', inputmode: 'numeric', autocomplete: 'cc-csc', required: true })),
    h('button', { type: 'submit', id: 'place-order' }, 'Place order and pay'));
  let timer;
  const quote = async () => {
    const v = Object.fromEntries(new FormData(form).entries());
    const addr = addressOf(v);
    if (!['name', 'line1', 'city', 'postal_code', 'country'].every((k) => addr[k])) {
      quoteEl.replaceChildren(h('p', { class: 'muted' }, 'Enter the address to see shipping and tax.'));
      return;
    }
    try {
      const q = await post('/checkout/quote', { cart_id: cart.id, shipping_address: addr, shipping_method: v.shipping_method },
        { cartToken: token, traceparent: trace });
      quoteEl.replaceChildren(h('table', { class: 'totals' }, h('tbody', {},
        [['Subtotal', q.subtotal], q.discount.amount ? [`Discount${q.promotion_code ? ` (${q.promotion_code})` : ''}`, q.discount, '−'] : null,
          ['Shipping', q.shipping], ['Tax', q.tax], ['Total', q.total]].filter(Boolean)
          .map(([k, m, sign]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { id: `quote-${k.split(' ')[0].toLowerCase()}` }, (sign || '') + money(m)))))));
    } catch (e) {
      quoteEl.replaceChildren(h('p', { class: 'error' }, e.message));
    }
  };
  form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(quote, 300); });
  form.addEventListener('change', quote);
  let order = null;
  onSubmit(form, async (v) => {
    if (!order) {
      order = await post('/checkout', { cart_id: cart.id, email: v.email, shipping_address: addressOf(v), shipping_method: v.shipping_method },
        { cartToken: token, idempotent: true, traceparent: trace });
      if (!state.user) store.addOrder(order, token);
      store.cart = null;
      cartCount(null);
    }
    await pay(order, v, token, trace);
  });
  show('Checkout', h('h1', {}, 'Checkout'), form);
  quote();
}

/** Tokenizes the card, pays the order and, when the bank asks, runs the 3-D Secure step. */
async function pay(order, v, token, trace) {
  const card = await post('/payments/sandbox/tokens', { number: (v.number || '').replace(/\s+/g, ''), exp_month: Number(v.exp_month), exp_year: Number(v.exp_year), cvc: v.cvc || '' });
  let p = await post('/payments', { order_id: order.id, payment_method: card.token }, { cartToken: token, idempotent: true, traceparent: trace });
  if (p.status === 'requires_action' && p.next_action) p = await threeDSecure(p, token, trace);
  if (p.status === 'failed') throw new ApiError(402, { detail: `The payment was declined (${p.failure_code || 'declined'}). Try another card.` });
  location.hash = `#/order/${order.id}?placed=1`;
}

/** The sandbox bank's challenge, as a modal dialog; resolves with the payment after it answers. */
function threeDSecure(payment, token, trace) {
  return new Promise((resolve, reject) => {
    const answer = async (result) => {
      try {
        const path = payment.next_action.url.replace(/^\/api\/v1/, '');
        const p = await post(path, { result }, { cartToken: token, traceparent: trace });
        dialog.close();
        dialog.remove();
        resolve(p);
      } catch (e) { dialog.close(); dialog.remove(); reject(e); }
    };
    const dialog = h('dialog', { 'aria-labelledby': 'tds-h', class: 'panel' }, h('h2', { id: 'tds-h' }, '3-D Secure'),
      h('p', {}, `Your bank asks you to confirm the payment of ${money(payment.amount)} with the card ending ${payment.card ? payment.card.last4 : ''}.`),
      h('div', { class: 'row' }, h('button', { type: 'button', id: 'tds-confirm', onclick: () => answer('succeed') }, 'Confirm payment'),
        h('button', { type: 'button', class: 'secondary', onclick: () => answer('fail') }, 'Cancel')));
    document.body.append(dialog);
    dialog.showModal();
  });
}

const STATUS = { pending_payment: 'Awaiting payment', confirmed: 'Confirmed', processing: 'Being prepared', shipped: 'Shipped', delivered: 'Delivered',
  cancelled: 'Cancelled', refunded: 'Refunded', partially_refunded: 'Partly refunded' };

async function orderPage(query, id) {
  const token = store.tokenOf(id);
  const o = await get(`/orders/${id}`, { cartToken: token });
  const hist = await get(`/orders/${id}/history`, { cartToken: token }).catch(() => ({ events: [] }));
  const lines = h('table', {}, h('caption', { class: 'sr' }, 'Order lines'), h('thead', {}, h('tr', {}, ['Product', 'Quantity', 'Total'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, o.lines.map((l) => h('tr', {}, h('td', {}, l.title), h('td', {}, String(l.quantity)), h('td', { class: 'num' }, money(l.line_total))))));
  const totals = h('table', { class: 'totals' }, h('tbody', {}, [['Subtotal', o.subtotal], o.discount.amount ? [`Discount${o.promotion_code ? ` (${o.promotion_code})` : ''}`, o.discount] : null,
    ['Shipping', o.shipping], ['Tax', o.tax], ['Total', o.total]].filter(Boolean).map(([k, m]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, money(m))))));
  const shipments = (o.shipments || []).length ? h('section', { 'aria-labelledby': 'ship-h' }, h('h2', { id: 'ship-h' }, 'Shipments'),
    h('ul', {}, o.shipments.map((s) => h('li', { class: 'shipment' }, `${s.carrier || 'Carrier'}: tracking number `, h('strong', { class: 'tracking' }, s.tracking_number || '—'),
      s.status ? ` (${s.status})` : '', s.shipped_at ? ` · ${date(s.shipped_at)}` : '')))) : null;
  const actions = [];
  if (o.status === 'pending_payment') {
    const f = onSubmit(h('form', { class: 'form', 'aria-label': 'Pay' }, h('h2', {}, 'Pay for this order'),
      field('Card number', { name: 'number', inputmode: 'numeric', required: true }),
      h('div', { class: 'two' }, field('Expiry month', { name: 'exp_month', required: true }), field('Expiry year', { name: 'exp_year', required: true })),
      field('CVC', { name: 'cvc', required: true }), h('button', { type: 'submit' }, 'Pay')), (v) => pay(o, v, token, newTrace()));
    actions.push(f);
  }
  if (['pending_payment', 'confirmed', 'processing'].includes(o.status)) {
    actions.push(h('button', { class: 'danger', type: 'button', onclick: async () => {
      if (!confirm('Cancel this order?')) return;
      await post(`/orders/${id}/cancel`, { reason: 'cancelled by the customer' }, { cartToken: token, idempotent: true });
      orderPage(query, id);
    } }, 'Cancel order'));
  }
  if (o.status === 'delivered' && state.user) {
    const f = onSubmit(h('form', { class: 'form', 'aria-label': 'Return items' }, h('h2', {}, 'Return items'),
      o.lines.map((l) => field(`${l.title}: quantity to return`, { name: `ret-${l.id}`, type: 'number', min: 0, max: l.quantity, value: 0 })),
      field('Reason', { name: 'reason', required: true }), h('button', { type: 'submit' }, 'Request return')), async (v) => {
      const lines = o.lines.map((l) => ({ line_id: l.id, quantity: Number(v[`ret-${l.id}`] || 0) })).filter((x) => x.quantity > 0);
      const r = await post(`/orders/${id}/returns`, { lines, reason: v.reason }, { idempotent: true });
      toast(`Return ${r.id} requested`);
    });
    actions.push(f);
  }
  show(`Order ${o.number}`, query.get('placed') ? h('p', { class: 'ok', role: 'status' }, 'Thank you! Your order is placed.') : null,
    h('h1', {}, `Order ${o.number}`), h('p', {}, 'Status: ', h('span', { class: 'status', id: 'order-status' }, STATUS[o.status] || o.status), ` · placed ${date(o.created_at)}`),
    h('div', { class: 'table-wrap' }, lines), totals, shipments,
    h('section', { 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, 'History'),
      h('ol', {}, (hist.events || []).map((e) => h('li', {}, `${date(e.at)} — ${e.note || e.event}`)))),
    actions);
}

// ---- account ----
async function afterSignIn() {
  state.user = await currentUser();
  // A guest cart becomes the signed-in customer's.
  const guest = store.cart;
  if (guest && guest.token) {
    try {
      const mine = await post('/carts', state.currency ? { currency: state.currency } : {});
      const merged = await post(`/carts/${mine.id}/merge`, { cart_id: guest.id, token: guest.token });
      store.cart = { id: merged.id };
    } catch { store.cart = null; }
  }
  renderNav();
  go('#/account');
}

/** Goes to `hash`, rendering again when it is the current one (no hashchange fires then). */
function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

function signInPage() {
  let needTotp = false;
  const totp = field('Authenticator code', { name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code' });
  totp.hidden = true;
  const login = onSubmit(h('form', { class: 'form', 'aria-labelledby': 'login-h' }, h('h2', { id: 'login-h' }, 'Sign in'),
    field('Email', { name: 'email', id: 'login-email', type: 'email', required: true, autocomplete: 'username' }),
    field('Password', { name: 'password', id: 'login-password', type: 'password', required: true, autocomplete: 'current-password' }), totp,
    h('button', { type: 'submit' }, 'Sign in')), async (v) => {
    try {
      await post('/auth/web/login', { email: v.email, password: v.password, totp: needTotp ? v.totp : undefined });
    } catch (e) {
      if (e.code === 'totp_required') { needTotp = true; totp.hidden = false; totp.querySelector('input').focus(); throw new ApiError(401, { detail: 'Enter the code of your authenticator app.' }); }
      throw e;
    }
    await afterSignIn();
  });
  const register = onSubmit(h('form', { class: 'form', 'aria-labelledby': 'reg-h' }, h('h2', { id: 'reg-h' }, 'Create an account'),
    field('Name', { name: 'name', id: 'reg-name', required: true, autocomplete: 'name' }),
    field('Email', { name: 'email', id: 'reg-email', type: 'email', required: true, autocomplete: 'email' }),
    field('Password (at least 10 characters)', { name: 'password', id: 'reg-password', type: 'password', required: true, autocomplete: 'new-password' }),
    h('button', { type: 'submit' }, 'Create account')), async (v) => {
    await post('/auth/web/register', v);
    await afterSignIn();
  });
  const forgot = onSubmit(h('form', { class: 'form', 'aria-labelledby': 'forgot-h' }, h('h2', { id: 'forgot-h' }, 'Forgot your password?'),
    field('Email', { name: 'email', id: 'forgot-email', type: 'email', required: true, autocomplete: 'email' }),
    h('button', { type: 'submit', class: 'secondary' }, 'Mail me a reset link')), async (v, form) => {
    await post('/auth/password/forgot', { email: v.email });
    form.replaceChildren(h('h2', {}, 'Check your mail'), h('p', { role: 'status' }, `If ${v.email} has an account, a reset link is on its way. It works once, for an hour.`));
  });
  const guestOrders = store.orders;
  show('Sign in', h('h1', {}, 'Your account'), h('div', { class: 'dash' }, login, register, forgot),
    guestOrders.length ? h('section', {}, h('h2', {}, 'Orders placed on this device'),
      h('ul', {}, guestOrders.map((o) => h('li', {}, h('a', { href: `#/order/${o.id}` }, `Order ${o.number}`))))) : null);
}

async function account(query) {
  if (!state.user) state.user = await currentUser();
  if (!state.user) return signInPage();
  const u = state.user;
  const tab = query.get('tab') || 'orders';
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Account sections' }, [['orders', 'Orders'], ['addresses', 'Addresses'], ['wishlist', 'Wishlist'],
    ['notifications', 'Notifications'], ['security', 'Security'], ['returns', 'Returns']].map(([k, t]) => h('a', { href: `#/account?tab=${k}`, 'aria-current': k === tab ? 'page' : undefined }, t)));
  const signOut = h('button', { class: 'secondary', type: 'button', onclick: async () => {
    await post('/auth/web/logout');
    state.user = null;
    store.cart = null;
    cartCount(null);
    renderNav();
    go('#/');
  } }, 'Sign out');
  const body = await accountTab(tab);
  show('Account', h('h1', {}, `Hello, ${u.name}`), h('p', { class: 'row' }, h('span', { class: 'muted' }, u.email), signOut), tabs, body);
}

async function accountTab(tab) {
  if (tab === 'orders') {
    const r = await get('/orders' + qs({ limit: 50 }));
    return r.data.length ? h('ul', {}, r.data.map((o) => h('li', {}, h('a', { href: `#/order/${o.id}` }, `Order ${o.number}`),
      ` · ${STATUS[o.status] || o.status} · ${money(o.total)} · ${day(o.created_at)}`))) : h('p', {}, 'No orders yet.');
  }
  if (tab === 'addresses') {
    const r = await get('/me/addresses');
    const form = onSubmit(h('form', { class: 'form', 'aria-label': 'New address' }, h('h2', {}, 'Add an address'), field('Label', { name: 'label' }), addressFields('a-'),
      h('label', {}, h('input', { type: 'checkbox', name: 'default_shipping', value: 'true' }), ' Default shipping address'),
      h('button', { type: 'submit' }, 'Save address')), async (v) => {
      await post('/me/addresses', { ...addressOf(v, 'a-'), label: v.label, default_shipping: v.default_shipping === 'true' });
      location.hash = '#/account?tab=addresses&t=' + Date.now();
    });
    return [h('ul', {}, r.data.map((a) => h('li', {}, `${a.label ? a.label + ': ' : ''}${a.name}, ${a.line1}, ${a.postal_code} ${a.city}, ${a.country}`,
      a.default_shipping ? h('span', { class: 'status' }, ' default') : null, ' ',
      h('button', { class: 'secondary', type: 'button', onclick: async () => { await del(`/me/addresses/${a.id}`); location.hash = '#/account?tab=addresses&t=' + Date.now(); } }, 'Delete')))), form];
  }
  if (tab === 'wishlist') {
    const r = await get('/me/wishlist');
    return r.data.length ? h('ul', {}, r.data.map((w) => h('li', {}, h('a', { href: `#/p/${w.slug || w.product_id}` }, w.title || w.product_id), ' ',
      h('button', { class: 'secondary', type: 'button', onclick: async () => { await del(`/me/wishlist/${w.product_id || w.id}`); location.hash = '#/account?tab=wishlist&t=' + Date.now(); } }, 'Remove'))))
      : h('p', {}, 'Your wishlist is empty.');
  }
  if (tab === 'notifications') {
    const [inbox, prefs] = await Promise.all([get('/me/notifications' + qs({ limit: 50 })), get('/me/notification-preferences')]);
    const reload = () => { location.hash = '#/account?tab=notifications&t=' + Date.now(); };
    const list = inbox.data.length ? h('ul', { class: 'inbox', 'aria-label': 'Notifications' }, inbox.data.map((n) => h('li', { class: n.read_at ? 'read' : 'unread' },
      h('strong', {}, n.link ? h('a', { href: n.link.replace(/^\//, '') }, n.title) : n.title), ' ', h('span', { class: 'muted' }, day(n.created_at)),
      h('p', {}, n.body),
      n.read_at ? null : h('button', { class: 'secondary', type: 'button', onclick: async () => { await post(`/me/notifications/${n.id}/read`); reload(); } }, 'Mark read'))))
      : h('p', {}, 'No notifications yet.');
    const readAll = inbox.unread_count ? h('button', { class: 'secondary', type: 'button', onclick: async () => { await post('/me/notifications/read-all'); reload(); } },
      `Mark all ${inbox.unread_count} read`) : null;
    const LABEL = { account: 'Your account', orders: 'Orders', reviews: 'Your reviews', marketing: 'Offers and news', stock: 'Low stock (admins)' };
    const CHANNEL = { email: 'Email', in_app: 'In the shop', sms: 'Text message', push: 'Push' };
    const prefForm = onSubmit(h('form', { class: 'form', 'aria-label': 'Notification preferences' }, h('h2', {}, 'What we tell you'),
      prefs.preferences.map((p) => h('label', {}, h('input', { type: 'checkbox', name: `${p.category}.${p.channel}`, value: 'on', checked: p.enabled, disabled: p.locked }),
        ` ${LABEL[p.category] || p.category} · ${CHANNEL[p.channel] || p.channel}`, p.locked ? h('span', { class: 'muted' }, ' (always: it is about your account or orders)') : null)),
      h('button', { type: 'submit' }, 'Save preferences')), async (v) => {
      const preferences = prefs.preferences.filter((p) => !p.locked).map((p) => ({ category: p.category, channel: p.channel, enabled: v[`${p.category}.${p.channel}`] === 'on' }));
      await put('/me/notification-preferences', { preferences });
      toast('Preferences saved');
    });
    const contacts = await get('/me/notification-contacts');
    const phoneForm = onSubmit(h('form', { class: 'form', 'aria-label': 'Text messages' }, h('h2', {}, 'Text messages'),
      field('Mobile number for order updates (+ and country code)', { name: 'sms_number', type: 'tel', autocomplete: 'tel', value: contacts.sms_number || '', placeholder: '+15551234567' }),
      h('button', { type: 'submit', class: 'secondary' }, 'Save number')), async (v) => {
      await put('/me/notification-contacts', { sms_number: v.sms_number || null, push_tokens: contacts.push_tokens });
      toast(v.sms_number ? 'Number saved' : 'Number removed');
    });
    const me = await get('/me');
    const consent = h('input', { type: 'checkbox', id: 'marketing-consent', checked: !!me.marketing_consent });
    consent.addEventListener('change', async () => {
      try { await patch('/me', { marketing_consent: consent.checked }); toast(consent.checked ? 'You will get our offers and news' : 'No more offers and news'); reload(); }
      catch (e) { consent.checked = !consent.checked; toast(e.message); }
    });
    const offers = h('section', {}, h('h2', {}, 'Offers and news'), h('label', { for: 'marketing-consent' }, consent, ' Send me offers and news by email (you can stop them at any time)'));
    return [h('section', {}, h('h2', {}, `Inbox (${inbox.unread_count} unread)`), readAll, list), prefForm, offers, phoneForm];
  }
  if (tab === 'returns') {
    return h('p', {}, 'Returns are requested from a delivered order’s page; their status shows there and in the mails you receive.');
  }
  // security: two-factor sign-in
  const out = h('div', { class: 'stack' });
  const setup = h('button', { type: 'button', onclick: async () => {
    try {
      const s = await post('/auth/2fa/setup');
      const enable = onSubmit(h('form', { class: 'form', 'aria-label': 'Turn on two-factor sign-in' },
        h('p', {}, 'Add this secret to your authenticator app: ', h('code', {}, s.secret)),
        h('p', { class: 'muted' }, s.otpauth_url),
        field('Code from the app', { name: 'code', inputmode: 'numeric', required: true, autocomplete: 'one-time-code' }), h('button', { type: 'submit' }, 'Turn on')), async (v) => {
        const r = await post('/auth/2fa/enable', { code: v.code });
        out.replaceChildren(h('p', { class: 'ok' }, 'Two-factor sign-in is on. Keep these recovery codes somewhere safe:'), h('ul', {}, r.recovery_codes.map((c) => h('li', {}, h('code', {}, c)))));
      });
      out.replaceChildren(enable);
    } catch (e) {
      if (e.status === 409) out.replaceChildren(disable2fa());
      else toast(e.message);
    }
  } }, 'Set up two-factor sign-in');
  const disable2fa = () => onSubmit(h('form', { class: 'form', 'aria-label': 'Turn off two-factor sign-in' }, h('p', {}, 'Two-factor sign-in is on.'),
    field('Code or password', { name: 'code', required: true }), h('button', { type: 'submit', class: 'danger' }, 'Turn off')), async (v) => {
    await post('/auth/2fa/disable', /^\d{6}$/.test(v.code) ? { code: v.code } : { password: v.code });
    out.replaceChildren(h('p', {}, 'Two-factor sign-in is off.'));
  });
  out.append(h('h2', {}, 'Two-factor sign-in'), setup);
  return out;
}

// ---- header: search with autocomplete, currency, categories ----
function setupSearch() {
  const form = document.getElementById('search-form');
  const input = document.getElementById('q');
  const list = document.getElementById('suggestions');
  let items = [];
  let active = -1;
  let timer;
  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; };
  const go = (s) => {
    close();
    if (s.kind === 'product' && s.slug) location.hash = `#/p/${encodeURIComponent(s.slug)}`;
    else if (s.kind === 'category' && s.slug) location.hash = `#/c/${encodeURIComponent(s.slug)}`;
    else if (s.kind === 'brand' && s.slug) location.hash = `#/b/${encodeURIComponent(s.slug)}`;
    else location.hash = `#/search?q=${encodeURIComponent(s.text)}`;
  };
  const mark = () => [...list.children].forEach((li, i) => {
    li.setAttribute('aria-selected', i === active ? 'true' : 'false');
    if (i === active) input.setAttribute('aria-activedescendant', li.id);
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(async () => {
      try {
        const r = await get('/search/suggest' + qs({ q, limit: 8 }));
        items = r.data || [];
        list.replaceChildren(...items.map((s, i) => h('li', { id: `sugg-${i}`, role: 'option', 'aria-selected': 'false', onmousedown: (e) => { e.preventDefault(); go(s); } },
          s.text, s.kind && s.kind !== 'product' ? h('span', { class: 'muted' }, ` · ${s.kind}`) : null)));
        list.hidden = !items.length;
        input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
        active = -1;
      } catch { close(); }
    }, 120);
  });
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown') { active = Math.min(items.length - 1, active + 1); mark(); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { active = Math.max(-1, active - 1); mark(); e.preventDefault(); }
    else if (e.key === 'Escape') close();
    else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); go(items[active]); }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    close();
    location.hash = `#/search?q=${encodeURIComponent(input.value.trim())}`;
  });
}

async function setupCurrency() {
  const sel = document.getElementById('currency');
  const fx = await get('/fx-rates').catch(() => null);
  const list = fx ? [fx.base, ...(fx.rates || []).map((r) => r.currency)] : [];
  if (!state.currency && fx) state.currency = fx.base;
  sel.replaceChildren(...[...new Set(list)].map((c) => h('option', { value: c, selected: c === state.currency }, c)));
  sel.hidden = list.length < 2;
  sel.addEventListener('change', () => {
    state.currency = sel.value;
    localStorage.setItem('currency', sel.value);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });
}

function renderNav() {
  const a = document.getElementById('account-link');
  a.textContent = state.user ? 'Account' : 'Sign in';
}

/** The pages the account mails link to (public_url + /account/...): a new password, a verified address. */
async function mailLinkPage(path, token) {
  const back = h('p', {}, h('a', { href: '/#/account' }, 'Go to your account'));
  if (path === '/account/unsubscribe') {
    // A button, not an automatic POST: mail scanners open links, and only a person should unsubscribe.
    const button = h('button', { type: 'button', onclick: async () => {
      try {
        const r = await api('POST', `/notifications/unsubscribe${qs({ token })}`);
        show('Unsubscribed', h('h1', {}, 'Unsubscribed'), h('p', { role: 'status' }, `You will no longer get ${r.category} emails. Your account's preferences can switch them on again.`), back);
      } catch (e) {
        show('Not unsubscribed', h('h1', {}, 'This link does not work'), h('p', { role: 'alert', class: 'error' }, e.message || String(e)), back);
      }
    } }, 'Unsubscribe');
    show('Unsubscribe', h('h1', {}, 'Stop these emails?'), h('p', {}, 'Mails about your orders and account still come: they are needed.'), button, back);
    return;
  }
  if (path === '/account/verify-email') {
    try {
      await post('/auth/email/verify', { token });
      show('Email verified', h('h1', {}, 'Email verified'), h('p', { role: 'status' }, 'Thank you: your email address is verified.'), back);
    } catch (e) {
      show('Email not verified', h('h1', {}, 'This link does not work'), h('p', { role: 'alert', class: 'error' }, e.message || String(e)),
        h('p', {}, 'It may be used or expired: sign in and ask for a new one from your account.'), back);
    }
    return;
  }
  const form = onSubmit(h('form', { class: 'form', 'aria-labelledby': 'reset-h' }, h('h1', { id: 'reset-h' }, 'Choose a new password'),
    field('New password (at least 10 characters)', { name: 'password', id: 'reset-password', type: 'password', required: true, autocomplete: 'new-password' }),
    h('button', { type: 'submit' }, 'Set the new password')), async (v) => {
    await post('/auth/password/reset', { token, password: v.password });
    show('Password changed', h('h1', {}, 'Password changed'), h('p', { role: 'status' }, 'Your password is changed and every session signed out. Sign in with the new one.'),
      h('p', {}, h('a', { href: '/#/account' }, 'Sign in')));
  });
  show('New password', form);
}

async function main() {
  const mailLink = ['/account/reset-password', '/account/verify-email', '/account/unsubscribe'].includes(location.pathname);
  if (mailLink) {
    renderNav();
    document.getElementById('currency').hidden = true;
    // The header's hash links lead back into the storefront at /.
    document.querySelectorAll('a[href^="#/"]').forEach((a) => a.setAttribute('href', '/' + a.getAttribute('href')));
    return mailLinkPage(location.pathname, new URLSearchParams(location.search).get('token') || '');
  }
  setupSearch();
  const [cats, user] = await Promise.all([get('/categories').catch(() => ({ data: [] })), currentUser().catch(() => null), setupCurrency()]);
  state.categories = cats.data || [];
  state.user = user;
  renderNav();
  document.getElementById('cats').replaceChildren(...state.categories.map((c) => h('a', { href: `#/c/${c.slug}` }, c.name)));
  loadCart().then(cartCount).catch(() => {});
  startRouter([
    [/^\/$/, home], [/^\/search$/, search], [/^\/c\/([^/]+)$/, category], [/^\/b\/([^/]+)$/, brand], [/^\/p\/([^/]+)$/, product],
    [/^\/cart$/, cartPage], [/^\/checkout$/, checkout], [/^\/order\/([^/]+)$/, orderPage], [/^\/account$/, account],
  ], () => show('Not found', h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '#/' }, 'Go to the home page'))));
}

main();
