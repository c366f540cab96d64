import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `npm run dev -w client`: hot reload against a running system (`npm start`), whose entry point serves the
 * API, the client's settings and the development sign-in; TICKETING_URL points elsewhere.
 */
const system = process.env.TICKETING_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: system, changeOrigin: true },
      '/config.json': { target: system, changeOrigin: true },
    },
  },
  build: { outDir: 'dist', sourcemap: true },
});
