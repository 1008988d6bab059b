// `npm run check:size`: the product stays readable — no product file over 400 lines and no
// function over 80 lines (issue "One architecture"; issue #11: "no function over 80 lines in
// product code"). Product code is the backend under src/ (.ts) and the HubSpot UI extensions
// under extensions/app/ (.ts/.tsx), leaving out their tests (*.test.*) and test helpers
// (*TestSupport.tsx, fakeBackend.ts). Uses the TypeScript parser, so arrow functions, methods,
// nested functions and React components count alike.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const MAX_FILE = 400;
const MAX_FUNCTION = 80;
const isTestHelper = (name) => /\.test\.tsx?$/.test(name) || /TestSupport\.tsx?$/.test(name) || name === 'fakeBackend.ts';
const roots = [
  { dir: 'src', label: 'src/ (.ts)', take: (name) => name.endsWith('.ts') },
  {
    dir: path.join('extensions', 'app'),
    label: 'extensions/app/ (.ts/.tsx, without tests and test helpers)',
    take: (name) => /\.tsx?$/.test(name) && !name.endsWith('.d.ts') && !isTestHelper(name),
  },
];

const counts = [];
const files = [];
for (const root of roots) {
  const before = files.length;
  (function walk(dir) {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (root.take(name)) files.push(p);
    }
  })(root.dir);
  counts.push(`${files.length - before} under ${root.label}`);
}

const problems = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length;
  if (lines > MAX_FILE) problems.push(`${file}: ${lines} lines (max ${MAX_FILE})`);
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.end).line;
      const n = end - start + 1;
      if (n > MAX_FUNCTION) {
        const name = node.name?.getText(sf) ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(sf) : '(anonymous)');
        problems.push(`${file}:${start + 1}: function ${name} is ${n} lines (max ${MAX_FUNCTION})`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`check:size: ${files.length} files (${counts.join(', ')}), none over ${MAX_FILE} lines, no function over ${MAX_FUNCTION} lines`);
