/**
 * Serves one classic registry in both exposition formats: Prometheus text by default, OpenMetrics
 * (with exemplars) when the scraper's Accept header asks for it.
 */
import { Registry, type Metric, type OpenMetricsContentType } from 'prom-client';

export interface MetricsResponse {
  /** 200, or 500 when a collector failed (the body then says why, in a comment). */
  status: 200 | 500;
  contentType: string;
  body: string;
}

/**
 * True when the Accept header lists application/openmetrics-text with a non-zero q, as Prometheus
 * does (`application/openmetrics-text;version=1.0.0,…,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`).
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/**
 * Renders `registry` as OpenMetrics. prom-client renders OpenMetrics only from a registry of that
 * type and, while doing so, renames every counter it renders (strips `_total`) in place, which
 * would corrupt the classic output of the same metric objects. So each metric is rendered through
 * a prototype-linked view: the rename lands on the view, reads and collect() reach the original.
 */
export async function renderOpenMetrics(registry: Registry): Promise<string> {
  const view = new Registry<OpenMetricsContentType>();
  view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const metric of registry.getMetricsAsArray()) {
    view.registerMetric(Object.create(metric) as Metric);
  }
  return addUnits(await view.metrics());
}

/** Base units a metric name may end in (DESIGN section 6: base units, named in the name). */
const UNITS = ['seconds', 'bytes', 'ratio', 'usd'] as const;

/**
 * Adds OpenMetrics `# UNIT` lines, which prom-client does not write: one after the `# TYPE` of
 * every family whose name ends in `_<unit>`. (The parser of Prometheus rejects a unit that is not
 * the name's suffix, so only such names get one.)
 */
export function addUnits(text: string): string {
  return text.replace(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) \S+$/gm, (line, name: string) => {
    const unit = UNITS.find((u) => name.endsWith(`_${u}`));
    return unit === undefined ? line : `${line}\n# UNIT ${name} ${unit}`;
  });
}

export async function renderMetrics(registry: Registry, accept: string | undefined): Promise<MetricsResponse> {
  const open = wantsOpenMetrics(accept);
  const contentType = open ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
  try {
    const body = open ? await renderOpenMetrics(registry) : await registry.metrics();
    return { status: 200, contentType, body };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { status: 500, contentType: 'text/plain; charset=utf-8', body: `# stressd: collecting metrics failed: ${why.replace(/\n/g, ' ')}\n` };
  }
}
