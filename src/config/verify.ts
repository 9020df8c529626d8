// STUB — replaced by the config work (issue 3).
export async function verifyCommand(_opts: { config: string }): Promise<number> { throw new Error('not yet built'); }
