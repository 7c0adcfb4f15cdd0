/**
 * A database URL fit for a log line or an error message: the user and password of the userinfo
 * left out (`postgres://…@host/db`) and the value of every query parameter whose name (decoded)
 * contains `password` (`password`, `sslpassword`; the `pg` driver reads them too) replaced by
 * `…`. Everything else is kept as written, so the host, port and database stay recognisable.
 */
export function redactDatabaseUrl(url: string): string {
  const hash = url.indexOf('#');
  const body = hash < 0 ? url : url.slice(0, hash);
  const question = body.indexOf('?');
  const base = question < 0 ? body : body.slice(0, question);
  const query = question < 0 ? undefined : body.slice(question + 1);
  // The userinfo ends at the last @ before the path (a password may hold a raw @).
  const withoutUser = base.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/]*@/, '$1…@');
  if (query === undefined) return withoutUser;
  const params = query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    return /password/i.test(decoded(name)) ? `${name}=…` : pair;
  });
  return `${withoutUser}?${params.join('&')}`;
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
