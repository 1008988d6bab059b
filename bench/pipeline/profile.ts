// Reads the V8 CPU profiles the instances wrote (--cpu-prof) and prints where the time went:
// self time by function and by package, so the hot path can be named in docs/scaling.md.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const area = (url: string): string => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.includes('/src/')) return 'app: ' + url.slice(url.indexOf('/src/') + 1).split('/').slice(0, 2).join('/');
  if (url.startsWith('node:')) return url;
  return url ? '(other js)' : '(native / GC / idle)';
};

export function summariseProfiles(dir: string): void {
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number };
    const byNode = new Map(p.nodes.map((n) => [n.id, n]));
    const fn = new Map<string, number>();
    const pkg = new Map<string, number>();
    for (const id of p.samples) {
      const n = byNode.get(id)!;
      const name = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
      fn.set(name, (fn.get(name) ?? 0) + 1);
      const a = area(n.callFrame.url);
      pkg.set(a, (pkg.get(a) ?? 0) + 1);
    }
    const total = p.samples.length;
    const top = (m: Map<string, number>, k: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
    console.log(`\nprofile ${f} (${((p.endTime - p.startTime) / 1e6).toFixed(1)} s)`);
    for (const [k, v] of top(pkg, 12)) console.log(`  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
    console.log('  top functions (self):');
    for (const [k, v] of top(fn, 15)) console.log(`  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
}
