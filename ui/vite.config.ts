import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The desktop app embeds `dist/` (src-tauri/tauri.conf.json: frontendDist). No dev server is
// needed to run it. In a browser the UI needs a backend: the browser tests serve `dist/` from
// the bridge (src-tauri/examples/muster-bridge), the real app on Tauri's mock runtime.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: { target: 'safari15', outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { port: 5173, strictPort: true },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'jsdom',
  },
});
