// STUB — replaced by the daemon work (issue 4).
export interface DaemonOptions { config: string; schedule?: string; host: string; port: number; reportsDir: string; executor?: string; runOnStart: boolean }
export async function daemonCommand(_opts: DaemonOptions): Promise<number> { throw new Error('not yet built'); }
