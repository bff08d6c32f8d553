// Talking to penholder's API (/api/v1, docs/openapi.yaml). The browser signs
// in with a session cookie (HttpOnly, SameSite=Strict); every write carries
// the CSRF token that login (or GET /api/v1/me) returned, and If-Match with
// the ETag read when the caller gives one, so that acting on a page someone
// else has changed since gets 412 instead of overwriting their work.

let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** A problem+json reply (RFC 9457) as an exception. `fields` lists
 * {path, detail} pairs: the reply's own "errors" list, or the field path
 * that starts its detail ("parties[0].country: unknown destination ..."). */
export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem?.detail || problem?.title || `the server answered ${status}`;
    super(detail);
    this.status = status;
    this.problem = problem || {};
    this.type = String(this.problem.type || '').replace('urn:penholder:problem:', '');
    this.fields = fieldErrors(this.problem);
  }

  /** True when the server has no such route: the feature is not there yet. */
  get missingRoute() {
    return (this.status === 404 && /no API route/i.test(this.message)) || this.status === 405 || this.status === 501;
  }
}

const PATH_AT_START = /^([A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*)*): (.+)$/s;

function fieldErrors(problem) {
  if (Array.isArray(problem.errors) && problem.errors.length) {
    return problem.errors.map((e) => ({ path: String(e.path ?? ''), detail: String(e.detail ?? '') }));
  }
  if (problem.status === 422 && typeof problem.detail === 'string') {
    const m = PATH_AT_START.exec(problem.detail);
    if (m) return [{ path: m[1], detail: m[2] }];
  }
  return [];
}

/** Where to send someone whose session has ended: the sign-in page, then back here. */
export function signInUrl() {
  const here = location.pathname + location.search;
  return `/sign-in.html?next=${encodeURIComponent(here)}`;
}

/**
 * api('GET', '/api/v1/applications', {query: {status: 'submitted'}})
 * Resolves to {status, data, etag}; rejects with ApiError for 4xx/5xx.
 * A 401 sends the browser to the sign-in page unless `signedOutOk`.
 */
export async function api(method, path, { body, query, ifMatch, signedOutOk = false } = {}) {
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, v);
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (ifMatch) headers['If-Match'] = ifMatch;
  let response;
  try {
    response = await fetch(url, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { title: 'No connection', detail: 'penholder could not be reached; check your connection and try again' });
  }
  const type = response.headers.get('Content-Type') || '';
  let data = null;
  if (/json/.test(type)) {
    try { data = await response.json(); } catch { data = null; }
  } else if (response.status !== 204) {
    data = await response.text();
  }
  if (response.status === 401 && !signedOutOk) {
    location.assign(signInUrl());
    // The page is going away; keep callers from rendering an error meanwhile.
    return new Promise(() => {});
  }
  if (!response.ok) throw new ApiError(response.status, data && typeof data === 'object' ? data : { detail: String(data || '') });
  return { status: response.status, data, etag: response.headers.get('ETag') };
}

export const get = (path, options) => api('GET', path, options);
export const post = (path, body, options = {}) => api('POST', path, { ...options, body });
export const put = (path, body, options = {}) => api('PUT', path, { ...options, body });

// ---- which routes this server offers (GET /api/v1/openapi.yaml) ----

let routesPromise = null;

/** The server's routes, from its own API description: Map path -> Set of methods. */
export function routes() {
  if (!routesPromise) {
    routesPromise = fetch('/api/v1/openapi.yaml', { credentials: 'same-origin', cache: 'no-store' })
      .then((r) => (r.ok ? r.text() : ''))
      .then(parseRoutes)
      .catch(() => new Map());
  }
  return routesPromise;
}

/** The paths and methods of an OpenAPI document (only what `routes` needs of YAML). */
export function parseRoutes(yaml) {
  const out = new Map();
  let inPaths = false;
  let current = null;
  for (const line of String(yaml).split('\n')) {
    if (/^\S/.test(line)) { inPaths = /^paths:\s*$/.test(line); current = null; continue; }
    if (!inPaths) continue;
    const path = /^ {2}(\/\S*):\s*$/.exec(line);
    if (path) { current = path[1]; out.set(current, new Set()); continue; }
    const method = /^ {4}(get|put|post|patch|delete):/.exec(line);
    if (method && current) out.get(current).add(method[1].toUpperCase());
  }
  return out;
}

/** True when the server offers METHOD PATH (a pattern as written in the document). */
export async function hasRoute(method, path) {
  const all = await routes();
  return Boolean(all.get(path)?.has(method));
}
