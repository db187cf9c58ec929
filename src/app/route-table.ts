// Which methods each registered path accepts, so a wrong method gets 405 with Allow instead of 404.

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Hono path patterns (`/v1/studies/:id/classify`) as regular expressions; wildcards are catch-alls, not routes. */
function pattern(path: string): RegExp | undefined {
  if (path.includes('*')) return undefined;
  const body = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${body}/?$`);
}

/** From Hono's `app.routes`: a function giving the methods allowed on a path (empty when no route has it). */
export function allowedMethods(routes: readonly { method: string; path: string }[]): (path: string) => string[] {
  const table: { re: RegExp; method: string }[] = [];
  for (const r of routes) {
    const re = pattern(r.path);
    if (re && METHODS.includes(r.method)) table.push({ re, method: r.method });
  }
  return (path) => {
    const methods = new Set(table.filter((t) => t.re.test(path)).map((t) => t.method));
    if (methods.has('GET')) methods.add('HEAD');
    return METHODS.filter((m) => methods.has(m));
  };
}
