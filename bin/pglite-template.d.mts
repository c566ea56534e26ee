export function writePgliteTemplate(file: string): Promise<void>
