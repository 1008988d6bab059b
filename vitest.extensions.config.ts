// Vitest config for the HubSpot UI extensions (extensions/app/cards, extensions/app/settings).
// Run: npx vitest run --config vitest.extensions.config.ts
// Vitest 4 runs on Vite 8, which compiles TSX with Oxc; the old `esbuild: { jsx: 'automatic' }`
// option is replaced by `oxc.jsx`. No DOM is needed: @hubspot/ui-extensions/testing renders in Node.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  test: {
    include: ['extensions/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 15000,
  },
});
