// STUB — replaced by the executor work (issue 2).
export interface ExecutorCommandOptions { host: string; port: number; allow?: string[]; token?: string; heartbeatMs: number }
export async function executorCommand(_opts: ExecutorCommandOptions): Promise<number> { throw new Error('not yet built'); }
