import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// Relative base: the server may be mounted anywhere; hashed assets are cached as immutable by the server.
export default defineConfig({
  base: './',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, manifest: true, target: 'es2022' },
  server: { proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } } },
});
