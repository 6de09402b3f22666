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

/**
 * `api` as the views call it. A page size refused (`limit`: the server restarted with a lower
 * `limits.maxPageSize` than `session.whoami` said when the page loaded) asks `session.whoami`
 * again, updates `session` in place (the views read it on each call), and is asked once more
 * with the new bound; anything else refused is the caller's to show.
 */
export function withCurrentLimits(api, session) {
  async function query(procedure, input) {
    try {
      return await api.query(procedure, input);
    } catch (error) {
      if (error.code !== 'BAD_REQUEST' || !error.issues.some((issue) => issue.path === 'limit')) throw error;
      Object.assign(session, await api.query('session.whoami'));
      if (input.limit <= session.limits.maxPageSize) throw error;
      return api.query(procedure, { ...input, limit: session.limits.maxPageSize });
    }
  }
  return { ...api, query };
}
