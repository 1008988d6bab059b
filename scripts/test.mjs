// `npm test`: the backend suites (jest, native ESM) then the UI extension suites (vitest).
// JEST_JSON=<file> also writes machine-readable reports (CI sums them).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const json = process.env.JEST_JSON;
const run = (cmd, argv) => spawnSync(cmd, argv, { stdio: 'inherit' }).status ?? 1;

const jestArgs = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', ...args];
if (json) jestArgs.push('--json', `--outputFile=${json}`);
let status = run(process.execPath, jestArgs);

// The extension suites run when no path filter is given, or when it names extensions/.
const filtered = args.some((a) => !a.startsWith('-'));
if (!filtered || args.some((a) => a.startsWith('extensions'))) {
  const vitestArgs = ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.extensions.config.ts'];
  if (json) vitestArgs.push('--reporter=default', '--reporter=json', `--outputFile.json=${json.replace('jest-', 'vitest-')}`);
  status = run(process.execPath, vitestArgs) || status;
}
process.exit(status);
