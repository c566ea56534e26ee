export function launch(entry: string): Promise<void>
export function bundle(entry: string, outdir: URL): Promise<void>
export function buildConsole(): void
