export function launch(entry: string): Promise<void>
export function bundle(entry: string, outfile: URL): Promise<void>
