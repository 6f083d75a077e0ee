// The storefront and the admin in a real browser (Debian's Chromium, headless, through
// playwright-core): a guest finds a product by a misspelled search, checks out with a coupon,
// pays with the 3-D Secure test card and sees the order; an admin ships it and the guest sees the
// tracking number; the admin views the checkout's trace timeline and the sales chart. Every page
// must run without a Content-Security-Policy violation or a script error.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH, 'noop.js'));
const { chromium } = require('playwright-core');

const base = process.env.SHOP_URL;
const shots = process.env.SHOP_ARTIFACTS;
const ADMIN = { email: 'admin@example.com', password: 'Admin123!' };
const COUPON = 'WEB10';
const TRACKING = `1Z${Date.now()}`;

function check(cond, message) {
  if (!cond) throw new Error(`check failed: ${message}`);
}

async function apiAs(token, method, p, body) {
  const res = await fetch(base + '/api/v1' + p, {
    method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Collects console errors and CSP violations of a page; the test fails on any. */
function watch(page, name, problems) {
  pages.push(page);
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${name}: console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${name}: script error: ${e.message}`));
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

const browser = await chromium.launch({ executablePath: process.env.SHOP_CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const problems = [];
const pages = [];
try {
  // Set up: a coupon for the guest to use (through the API, as the admin).
  const login = await apiAs(null, 'POST', '/auth/login', ADMIN);
  await apiAs(login.access_token, 'POST', '/admin/promotions', { code: COUPON, kind: 'percent', percent: 10 });

  // ---- the guest ----
  const guestCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const guest = await guestCtx.newPage();
  watch(guest, 'storefront', problems);
  await guest.goto(base + '/');
  await guest.getByRole('heading', { name: 'Featured' }).waitFor();
  await guest.locator('.grid .card').first().waitFor();
  await shot(guest, '01-home');
  await guest.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Kitchen' }).click();
  await guest.getByRole('heading', { level: 1, name: 'Kitchen' }).waitFor();
  await guest.locator('.grid .card').first().waitFor();
  await guest.getByLabel('Sort by').selectOption('price');
  await guest.locator('#sort').evaluate((el) => el.value === 'price');
  await guest.locator('.grid .card').first().waitFor();
  await shot(guest, '01b-category');

  // A misspelled search: autocomplete while typing, then did-you-mean on the results.
  await guest.getByRole('combobox', { name: 'Search products' }).fill('skilet');
  await guest.locator('#suggestions li').first().waitFor();
  await shot(guest, '02-autocomplete');
  // Enter without choosing a suggestion searches for what was typed.
  await guest.getByRole('combobox', { name: 'Search products' }).press('Enter');
  await guest.getByText('Did you mean').waitFor();
  check((await guest.locator('.dym a').textContent()) === 'skillet', 'did-you-mean offers “skillet”');
  const firstHit = guest.locator('.grid .card a').first();
  const title = await firstHit.textContent();
  check(/skillet/i.test(title), `the first hit is a skillet (${title})`);
  await shot(guest, '03-search');
  await firstHit.click();
  await guest.getByRole('heading', { level: 1, name: title }).waitFor();
  const productUrl = guest.url();
  await guest.locator('#stock', { hasText: /In stock|left/ }).waitFor();
  await shot(guest, '04-product');
  await guest.getByLabel('Quantity').fill('2');
  await guest.getByRole('button', { name: 'Add to cart' }).click();
  await guest.locator('#cart-count', { hasText: '2' }).waitFor();

  // The cart with the coupon.
  await guest.getByRole('link', { name: /Cart/ }).click();
  await guest.getByRole('heading', { name: 'Your cart' }).waitFor();
  await guest.getByLabel('Coupon code').fill(COUPON);
  await guest.getByRole('button', { name: 'Apply' }).click();
  await guest.getByText(`Coupon ${COUPON} applied`).waitFor();
  await guest.getByText(`Discount (${COUPON})`).waitFor();
  await shot(guest, '05-cart');

  // Checkout: address, shipping, live quote, the 3-D Secure card.
  await guest.getByRole('link', { name: 'Checkout' }).click();
  await guest.getByRole('heading', { name: 'Checkout' }).waitFor();
  await guest.getByLabel('Email').fill('guest.browser@example.com');
  await guest.getByLabel('Full name').fill('Grace Guest');
  await guest.getByLabel('Address', { exact: true }).fill('12 Test Street');
  await guest.getByLabel('City').fill('Springfield');
  await guest.getByLabel('Postal code').fill('12345');
  await guest.getByRole('radio', { name: /Express/ }).check();
  await guest.locator('#quote-total').waitFor();
  await guest.locator('#quote-discount').waitFor();
  await guest.getByLabel('Card number').fill('4000 0000 0000 3220');
  await guest.getByLabel('Expiry month').fill('12');
  await guest.getByLabel('Expiry year').fill('2030');
  await guest.getByLabel('CVC').fill('123');
  await shot(guest, '06-checkout');
  await guest.getByRole('button', { name: 'Place order and pay' }).click();
  const dialog = guest.getByRole('dialog', { name: '3-D Secure' });
  await dialog.waitFor();
  await shot(guest, '07-3ds');
  await dialog.getByRole('button', { name: 'Confirm payment' }).click();
  await guest.getByText('Thank you! Your order is placed.').waitFor();
  const orderId = decodeURIComponent(guest.url().match(/#\/order\/([^?]+)/)[1]);
  // The order is confirmed when the payment's event reaches ordering: reload until it shows.
  for (let i = 0; i < 50; i++) {
    if ((await guest.locator('#order-status').textContent()) === 'Confirmed') break;
    await guest.waitForTimeout(100);
    await guest.evaluate(() => window.dispatchEvent(new HashChangeEvent('hashchange')));
    await guest.locator('#order-status').waitFor();
  }
  check((await guest.locator('#order-status').textContent()) === 'Confirmed', 'the order is confirmed after 3-D Secure');
  await guest.getByText(`Discount (${COUPON})`).waitFor();
  await shot(guest, '08-order-confirmed');

  // ---- the admin ----
  const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const admin = await adminCtx.newPage();
  watch(admin, 'admin', problems);
  await admin.goto(base + '/admin');
  await admin.getByLabel('Email').fill(ADMIN.email);
  await admin.getByLabel('Password').fill(ADMIN.password);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await admin.locator('#sales-chart svg').waitFor();
  check((await admin.locator('#sales-chart svg rect[height]:not([height="0"])').count()) >= 1, 'the sales chart shows today\'s sales');
  check((await admin.locator('#sales-chart svg rect').count()) >= 28, 'the sales chart has a bar per day');
  await shot(admin, '09-admin-dashboard');

  await admin.goto(`${base}/admin#/orders/${orderId}`);
  await admin.getByRole('heading', { name: /^Order / }).waitFor();
  await admin.getByRole('form', { name: 'Mark shipped' }).getByLabel('Carrier').fill('UPS');
  await admin.getByRole('form', { name: 'Mark shipped' }).getByLabel('Tracking number').fill(TRACKING);
  await admin.getByRole('button', { name: 'Ship', exact: true }).click();
  await admin.locator('#order-status', { hasText: 'shipped' }).waitFor();
  await shot(admin, '10-admin-order-shipped');

  // The checkout's trace: quote, order, payment and 3-D Secure ran under one trace id.
  await admin.getByRole('link', { name: /ordering\.order_placed\.v1/ }).click();
  await admin.locator('#trace-timeline li').first().waitFor();
  const steps = await admin.locator('#trace-timeline li').allTextContents();
  check(steps.some((s) => s.includes('ordering.order_placed.v1')), 'the trace shows the order placed');
  check(steps.some((s) => s.includes('payment.payment_authorized.v1')), 'the trace shows the payment authorized');
  check(steps.some((s) => / handled .* in [0-9.]+ ms/.test(s)), 'the trace shows handlers with durations');
  await shot(admin, '11-admin-trace');

  // ---- promotions, shipping and tax, notification templates with a preview and the delivery log ----
  await admin.getByRole('link', { name: 'Promotions' }).click();
  await admin.getByRole('cell', { name: COUPON, exact: true }).waitFor();
  check((await admin.getByRole('row', { name: new RegExp(`^${COUPON}`) }).first().textContent()).includes('10 %'), 'the coupon shows its discount');
  await shot(admin, '11b-admin-promotions');
  await admin.getByRole('link', { name: 'Shipping & tax' }).click();
  await admin.getByRole('cell', { name: 'standard', exact: true }).waitFor();
  await admin.getByRole('link', { name: 'Notifications' }).click();
  await admin.locator('#delivery-log').getByRole('cell', { name: 'order_confirmation' }).first().waitFor();
  await shot(admin, '11c-admin-notifications');
  await admin.getByRole('link', { name: 'order_confirmation', exact: true }).click();
  const emailForm = admin.getByRole('form', { name: 'email template (en)' });
  await emailForm.getByRole('button', { name: 'Preview' }).click();
  await admin.locator('#template-preview h3', { hasText: 'Your order #' }).waitFor();
  await shot(admin, '11d-admin-template-preview');
  // ---- products: a new one with categories, an uploaded image and a price change; a CSV import ----
  await admin.getByRole('link', { name: 'Products' }).click();
  const newProduct = admin.getByRole('form', { name: 'New product' });
  await newProduct.getByLabel('Title').fill('Browser Test Lantern');
  await newProduct.getByLabel('SKU of its first variant').fill('BT-LANTERN');
  await newProduct.getByLabel('Price in USD').fill('24.50');
  await newProduct.getByRole('button', { name: 'Create product' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Browser Test Lantern' }).waitFor();
  const edit = admin.getByRole('form', { name: 'Edit product' });
  await edit.getByLabel('Categories').selectOption({ label: 'Outdoor' });
  await edit.getByLabel('Status').selectOption('published');
  await edit.getByRole('button', { name: 'Save' }).click();
  await admin.getByText('Saved').waitFor();
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  const up = admin.getByRole('form', { name: 'Upload an image' });
  await up.getByLabel(/^Image/).setInputFiles({ name: 'lantern.png', mimeType: 'image/png', buffer: png });
  await up.getByLabel('Alt text').fill('The lantern, lit');
  await up.getByRole('button', { name: 'Upload' }).click();
  await admin.getByRole('list', { name: 'Images' }).getByRole('img', { name: 'The lantern, lit' }).waitFor();
  const prices = admin.getByRole('form', { name: 'Prices of BT-LANTERN' });
  await prices.getByLabel(/^Prices/).fill('26.00 USD, 24.00 EUR');
  await prices.getByRole('button', { name: 'Save prices' }).click();
  await admin.getByText('BT-LANTERN: prices saved').waitFor();
  await shot(admin, '11f-admin-product');
  const lantern = await (await fetch(`${base}/api/v1/products/browser-test-lantern?currency=EUR`)).json();
  check(lantern.variants[0].price.amount === 2400 && lantern.images.length === 1 && lantern.categories.some((c) => c.slug === 'outdoor'),
    'the storefront shows the new product with its EUR price, image and category');
  await admin.getByRole('link', { name: 'Products' }).click();
  await admin.getByRole('form', { name: 'Import products' }).getByLabel(/^CSV file/).setInputFiles({ name: 'p.csv', mimeType: 'text/csv',
    buffer: Buffer.from('handle,sku,price.USD\r\nbrowser-test-lantern,BT-LANTERN,2700\r\nbrowser-test-lantern,BT-LANTERN-XL,\r\n') });
  await admin.getByRole('form', { name: 'Import products' }).getByRole('button', { name: 'Import' }).click();
  await admin.locator('#import-report', { hasText: '2 rows: 0 created, 0 updated, 0 unchanged, 2 failed.' }).waitFor();
  check((await admin.locator('#import-report').textContent()).includes('Row 3'), 'the import report names the bad row');
  await shot(admin, '11g-admin-csv-import');

  await admin.getByRole('link', { name: 'Webhooks' }).click();
  const hookForm = admin.getByRole('form', { name: 'New webhook endpoint' });
  await hookForm.getByLabel('URL').fill('http://127.0.0.1:9/hooks/shop');
  await hookForm.getByLabel('Event types').selectOption(['ordering.order_shipped.v1']);
  await hookForm.getByRole('button', { name: 'Add endpoint' }).click();
  check((await admin.locator('#webhook-secret').textContent()).startsWith('whsec_'), 'a new endpoint shows its signing secret once');
  await shot(admin, '11e-admin-webhooks');

  // ---- the guest sees the tracking number ----
  await guest.goto(`${base}/#/order/${orderId}`);
  await guest.locator('.tracking').waitFor();
  check((await guest.locator('.tracking').textContent()) === TRACKING, 'the guest sees the tracking number');
  check((await guest.locator('#order-status').textContent()) === 'Shipped', 'the guest sees the order shipped');
  await shot(guest, '12-order-shipped');

  // ---- an account through the cookie session: register, an address, the wishlist, sign out ----
  const acctCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const acct = await acctCtx.newPage();
  watch(acct, 'account', problems);
  await acct.goto(`${base}/#/account`);
  const reg = acct.getByRole('form', { name: 'Create an account' });
  await reg.getByLabel('Name').fill('Ada Account');
  await reg.getByLabel('Email').fill('ada.account@example.com');
  await reg.getByLabel(/^Password/).fill('a-long-enough-passphrase');
  await reg.getByRole('button', { name: 'Create account' }).click();
  await acct.getByRole('heading', { name: 'Hello, Ada Account' }).waitFor();
  const cookies = await acctCtx.cookies();
  const session = cookies.find((c) => c.name === 'shop_session');
  check(session && session.httpOnly && session.sameSite === 'Lax', 'the session cookie is HttpOnly and SameSite=Lax');
  check(await acct.evaluate(() => !document.cookie.includes('shop_session') && document.cookie.includes('shop_csrf')), 'the page reads the CSRF cookie only');
  await acct.getByRole('link', { name: 'Addresses' }).click();
  const addr = acct.getByRole('form', { name: 'New address' });
  await addr.getByLabel('Full name').fill('Ada Account');
  await addr.getByLabel('Address', { exact: true }).fill('3 Analytical Row');
  await addr.getByLabel('City').fill('London');
  await addr.getByLabel('Postal code').fill('N1 9GU');
  await addr.getByLabel('Country (2 letters)').fill('GB');
  await addr.getByRole('button', { name: 'Save address' }).click();
  await acct.getByText('3 Analytical Row').waitFor();
  await acct.goto(productUrl);
  await acct.getByRole('button', { name: /Save to wishlist/ }).click();
  await acct.getByText('Saved to your wishlist').waitFor();
  await acct.goto(`${base}/#/account?tab=wishlist`);
  await acct.getByRole('link', { name: title }).waitFor();
  await shot(acct, '14-account-wishlist');
  await acct.getByRole('link', { name: 'Notifications' }).click();
  await acct.getByRole('list', { name: 'Notifications' }).getByText(/Welcome to/).waitFor();
  await acct.getByRole('button', { name: /Mark all \d+ read/ }).click();
  await acct.getByRole('heading', { name: 'Inbox (0 unread)' }).waitFor();
  await shot(acct, '14b-account-notifications');
  await acct.getByRole('button', { name: 'Sign out' }).click();
  await acct.getByRole('link', { name: 'Sign in' }).waitFor();
  check(!(await acctCtx.cookies()).some((c) => c.name === 'shop_session'), 'signing out clears the session cookie');

  // ---- a forgotten password: the mailed link opens the storefront's reset page ----
  await acct.getByRole('link', { name: 'Sign in' }).click();
  await acct.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
  const forgot = acct.getByRole('form', { name: 'Forgot your password?' });
  await forgot.getByLabel('Email').fill('customer@example.com');
  await forgot.getByRole('button', { name: 'Mail me a reset link' }).click();
  await acct.getByText('Check your mail').waitFor();
  let link = null;
  for (let i = 0; i < 100 && !link; i++) {
    for (const f of fs.existsSync(process.env.SHOP_MAIL_DIR) ? fs.readdirSync(process.env.SHOP_MAIL_DIR) : []) {
      // Quoted-printable: soft line breaks and =3D undone before looking for the link.
      const text = fs.readFileSync(path.join(process.env.SHOP_MAIL_DIR, f), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const m = text.match(/\/account\/reset-password\?token=[A-Za-z0-9_-]+/);
      if (m && text.includes('customer@example.com')) link = m[0];
    }
    if (!link) await new Promise((r) => setTimeout(r, 100));
  }
  check(link, 'the reset mail carries a link to the reset page');
  await acct.goto(base + link);
  await acct.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await shot(acct, '15-reset-password');
  await acct.getByLabel(/New password/).fill('Customer456!new');
  await acct.getByRole('button', { name: 'Set the new password' }).click();
  await acct.getByRole('heading', { name: 'Password changed' }).waitFor();
  const relogin = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'customer@example.com', password: 'Customer456!new' }) });
  check(relogin.status === 200, 'the new password signs in');

  // ---- a phone-sized viewport ----
  const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const phone = await phoneCtx.newPage();
  watch(phone, 'phone', problems);
  await phone.goto(base + '/');
  await phone.locator('.grid .card').first().waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `nothing overflows a phone's width (by ${overflow}px)`);
  await shot(phone, '13-phone-home');

  // ---- keyboard: the skip link is the first stop and leads to the content ----
  await guest.goto(base + '/');
  await guest.keyboard.press('Tab');
  check((await guest.evaluate(() => document.activeElement.textContent)) === 'Skip to content', 'the skip link comes first');

  if (problems.length) throw new Error(`the pages reported problems:\n${problems.join('\n')}`);
  console.log(`browser test passed: order ${orderId} shipped with ${TRACKING}; screenshots in ${shots}`);
} catch (e) {
  // What each open page showed when it failed, beside the screenshots.
  for (const [i, p] of pages.entries()) await p.screenshot({ path: path.join(shots, `failure-${i}.png`), fullPage: true }).catch(() => {});
  if (problems.length) console.error(problems.join('\n'));
  throw e;
} finally {
  await browser.close();
}
