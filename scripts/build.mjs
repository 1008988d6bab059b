// `npm run build`: compile src/ to dist/ (what production runs) and copy the SQL migrations beside
// the compiled migrator, which reads them relative to itself.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
cpSync('src/db/migrations', 'dist/db/migrations', { recursive: true });
console.log('built dist/');
