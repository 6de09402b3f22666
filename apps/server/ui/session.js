// The token lives in this tab's sessionStorage only: never in a URL, a cookie or localStorage,
// so it is gone when the tab closes and no other site's request can carry it.
const key = 'episodic.token';

export function readToken() {
  return sessionStorage.getItem(key);
}

export function saveToken(token) {
  sessionStorage.setItem(key, token);
}

export function clearToken() {
  sessionStorage.removeItem(key);
}

/**
 * `wanted` rows a page, or fewer on a server whose `limits.maxPageSize` is lower: it refuses a
 * larger page. `session` is what `session.whoami` answered.
 */
export function pageSize(session, wanted) {
  return Math.min(wanted, session.limits.maxPageSize);
}
