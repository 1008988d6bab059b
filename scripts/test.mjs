// `npm test`: the backend suites (jest, native ESM) then the UI extension suites (vitest).
// JEST_JSON=<file> also writes machine-readable reports (CI sums them).
//
// The multi-process suites (tests/scale: several app instances on one database, SIGKILLs) run
// after the others, one at a time: beside another suite on a 2-core machine, three instances and
// the embedded PostgreSQL they share starve, and a recovery that takes 20 s alone took over 90 s.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const SERIAL = 'tests/scale/';
const args = process.argv.slice(2);
const json = process.env.JEST_JSON;
const run = (cmd, argv) => spawnSync(cmd, argv, { stdio: 'inherit' }).status ?? 1;
const jest = (extra, outputFile) => {
  const argv = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', ...extra];
  if (outputFile) argv.push('--json', `--outputFile=${outputFile}`);
  return run(process.execPath, argv);
};

const filtered = args.some((a) => !a.startsWith('-'));
let status;
if (filtered) {
  status = jest(args, json);
} else {
  const parts = [
    [['--testPathIgnorePatterns', SERIAL, ...args], json && `${json}.parallel`],
    [['--runInBand', '--passWithNoTests', SERIAL, ...args], json && `${json}.serial`],
  ];
  status = 0;
  for (const [extra, out] of parts) status = jest(extra, out) || status;
  if (json) mergeReports(json, parts.map(([, out]) => out));
}

// The extension suites run when no path filter is given, or when it names extensions/.
if (!filtered || args.some((a) => a.startsWith('extensions'))) {
  const vitestArgs = ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.extensions.config.ts'];
  if (json) vitestArgs.push('--reporter=default', '--reporter=json', `--outputFile.json=${json.replace('jest-', 'vitest-')}`);
  status = run(process.execPath, vitestArgs) || status;
}
process.exit(status);

/** One report from the two runs' reports: counts summed, results concatenated. */
function mergeReports(target, files) {
  const merged = { success: true, testResults: [] };
  for (const file of files) {
    if (!existsSync(file)) {
      merged.success = false;
      continue;
    }
    const r = JSON.parse(readFileSync(file, 'utf8'));
    for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && k.startsWith('num')) merged[k] = (merged[k] ?? 0) + v;
    merged.success &&= r.success;
    merged.testResults.push(...(r.testResults ?? []));
    rmSync(file);
  }
  writeFileSync(target, JSON.stringify(merged));
}
