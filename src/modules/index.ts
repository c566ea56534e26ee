import type { AppModule } from '../core/module.ts'
import { healthModule } from './health/health.module.ts'

/** Every module, in registration order (the guide's `app.include_router` calls in main.py). */
export const modules: AppModule[] = [healthModule]
