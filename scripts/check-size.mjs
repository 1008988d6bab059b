// `npm run check:size`: the product stays readable — no file under src/ over 400 lines and no
// function over 80 lines (issue "One architecture"). Uses the TypeScript parser, so arrow
// functions, methods and nested functions count alike.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const MAX_FILE = 400;
const MAX_FUNCTION = 80;
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
})('src');

const problems = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length;
  if (lines > MAX_FILE) problems.push(`${file}: ${lines} lines (max ${MAX_FILE})`);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
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
console.log(`check:size: ${files.length} files under src/, none over ${MAX_FILE} lines, no function over ${MAX_FUNCTION} lines`);
