// A tiny "admin's browser" for the install: follows redirects, keeps cookies per host, and submits
// the HubSpot simulator's authorize form ("Connect app") like a click would.

export interface BrowseResult {
  status: number;
  url: string;
  body: string;
  /** Every URL visited, in order (for the demo's log and for error messages). */
  trail: string[];
}

class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: string, setCookies: string[]): void {
    const host = new URL(url).host;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    for (const c of setCookies) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      if (i <= 0) continue;
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
    this.byHost.set(host, jar);
  }

  header(url: string): string | undefined {
    const jar = this.byHost.get(new URL(url).host);
    if (!jar || jar.size === 0) return undefined;
    return [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const unescapeHtml = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? _m);

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag);
  return m ? unescapeHtml(m[1]) : undefined;
};

/** The first POST form of a page, with its hidden inputs and the submit button named `decision=approve`. */
export function parseApproveForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form\b[^>]*>/i.exec(html);
  if (!form || (attr(form[0], 'method') ?? 'get').toLowerCase() !== 'post') return undefined;
  const end = html.indexOf('</form>', form.index);
  const inner = html.slice(form.index, end === -1 ? undefined : end);
  const fields: Record<string, string> = {};
  for (const m of inner.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(m[0], 'name');
    if (name && (attr(m[0], 'type') ?? 'text').toLowerCase() === 'hidden') fields[name] = attr(m[0], 'value') ?? '';
  }
  const approve = [...inner.matchAll(/<button\b[^>]*>/gi)].map((m) => m[0]).find((b) => attr(b, 'value') === 'approve');
  if (!approve) return undefined;
  fields[attr(approve, 'name') ?? 'decision'] = 'approve';
  return { action: attr(form[0], 'action') ?? '', fields };
}

/**
 * Opens `startUrl` and clicks through: follows 30x redirects, and on a page with an approve form
 * (HubSpot's "Connect app" page) submits it. Stops at the first other page.
 */
export async function clickThrough(startUrl: string, opts: { maxSteps?: number; approveOn?: (url: string) => boolean } = {}): Promise<BrowseResult> {
  const jar = new CookieJar();
  const trail: string[] = [];
  let url = startUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < (opts.maxSteps ?? 12); step++) {
    trail.push(`${method} ${url}`);
    const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml', 'user-agent': 'Mozilla/5.0 (demo admin browser)' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(20_000) });
    jar.store(url, res.headers.getSetCookie());
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer().catch(() => undefined);
      url = new URL(location, url).toString();
      method = 'GET';
      body = undefined;
      continue;
    }
    const text = await res.text();
    const form = res.ok ? parseApproveForm(text) : undefined;
    if (form && (opts.approveOn?.(url) ?? true)) {
      url = new URL(form.action || url, url).toString();
      method = 'POST';
      body = new URLSearchParams(form.fields).toString();
      continue;
    }
    return { status: res.status, url, body: text, trail };
  }
  throw new Error(`too many redirects: ${trail.join(' → ')}`);
}
