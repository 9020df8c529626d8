// STUB — replaced by the runner work (issue 3).
export interface RunOptions { config: string; executor?: string; reportsDir: string; json: boolean }
export async function runCommand(_opts: RunOptions): Promise<number> { throw new Error('not yet built'); }
