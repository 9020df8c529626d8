import { readFileSync } from 'node:fs';

/** The package's version, read once from package.json (also `stressd_build_info{version}`). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
