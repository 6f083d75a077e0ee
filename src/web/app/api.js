// The shop's HTTP API for the pages: JSON in and out, problem+json errors as ApiError, the cookie
// session's CSRF token on every unsafe request, an Idempotency-Key on POSTs that ask for one.

/** The CSRF token of the cookie session (the readable cookie shop_csrf), "" when signed out. */
export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)shop_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

/** Random hex (crypto.getRandomValues works outside secure contexts too). */
export function randomHex(bytes) {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = problem && problem.code;
    this.fields = (problem && problem.errors) || [];
  }
  /** The message for one field, if the server named it. */
  field(name) {
    const f = this.fields.find((e) => e.field === name || e.field.endsWith('.' + name));
    return f ? f.message : '';
  }
}

/**
 * Calls /api/v1<path>. Options: body (JSON), idempotent (true: a fresh key; a string: that key),
 * cartToken (X-Cart-Token), traceparent (one W3C trace for a whole checkout), raw + contentType (a
 * body sent as is: an image, a CSV file).
 */
export async function api(method, path, { body, idempotent, cartToken, traceparent, raw, contentType } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (raw !== undefined) headers['Content-Type'] = contentType;
  if (method !== 'GET') {
    const csrf = csrfToken();
    if (csrf) headers['X-CSRF-Token'] = csrf;
    if (idempotent) headers['Idempotency-Key'] = idempotent === true ? randomHex(16) : idempotent;
  }
  if (cartToken) headers['X-Cart-Token'] = cartToken;
  if (traceparent) headers.traceparent = traceparent;
  const res = await fetch('/api/v1' + path, {
    method, headers, credentials: 'same-origin', body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body });
export const patch = (path, body, opts = {}) => api('PATCH', path, { ...opts, body });
export const put = (path, body, opts = {}) => api('PUT', path, { ...opts, body });
export const del = (path, opts) => api('DELETE', path, opts);

/** A query string from an object, leaving out empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}

/** The signed-in user (GET /me through the cookie session), or null. */
export async function currentUser() {
  if (!csrfToken()) return null;
  try {
    return await get('/me');
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}
