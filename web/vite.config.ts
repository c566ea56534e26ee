import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { sizeBudget } from './budget.ts'

const api = process.env.FOOD_FLEET_API ?? 'http://localhost:8000'

/** Built into web/dist and served by the API at /admin/; `npm run dev` proxies the API. */
export default defineConfig({
  base: '/admin/',
  plugins: [react(), sizeBudget()],
  resolve: {
    alias: {
      // The workspace client's source: no build step between an API change and the console.
      '@food-fleet/client': fileURLToPath(
        new URL('../clients/typescript/src/index.ts', import.meta.url),
      ),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { port: 5173, proxy: { '/api': api, '/health': api } },
})
