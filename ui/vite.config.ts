// Vite builds the UI into ui/dist, which the query service serves (query/ui.ts).
// Preact's JSX needs no plugin: the transformer reads jsx/jsxImportSource from ui/tsconfig.json.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  server: {
    // `npx vite ui` during development: API calls go to a running Vigil.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
