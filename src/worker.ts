import { createModuleContext, createServices, jobHandlersOf } from './core/module.ts'
import { openInfrastructure } from './infrastructure.ts'
import { modules } from './modules/index.ts'
import { exitOnStartupError, exitWith, startLongRunningProcess, stopOnSignal } from './startup.ts'

/**
 * `npm run worker`: works every module's background jobs and runs their schedules — the guide's
 * `celery worker` and `celery beat` in one process. Any number may run beside the web processes;
 * BullMQ hands each job to one of them and each schedule fires once.
 */
const { config, logger } = startLongRunningProcess()
if (!config.REDIS_URL) {
  exitWith(
    'npm run worker needs REDIS_URL: without Redis, jobs live in the web process, which works them itself (RUN_WORKERS)',
  )
}

const infrastructure = await openInfrastructure(config, logger, 'worker').catch(exitOnStartupError)
const { deps } = infrastructure
const context = createModuleContext(deps)
const services = createServices(context, modules)
const handlers = jobHandlersOf(modules, services, context)
await deps.jobs.work(handlers)
logger.info(
  { jobs: handlers.map((handler) => handler.type.name) },
  `worker running ${handlers.length} job types on ${deps.jobs.backend}`,
)
// Logs are written asynchronously: whoever waits for this line (an operator, a supervisor) sees it now.
logger.flush()

stopOnSignal(
  logger,
  { stopping: 'worker shutting down: finishing running jobs', stopped: 'worker stopped' },
  () => infrastructure.close(),
)
