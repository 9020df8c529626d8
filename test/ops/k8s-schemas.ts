/**
 * Offline validation of Kubernetes manifests against the API schemas. Two checks, because
 * neither source alone is strict:
 * - kubernetes-models (the Kubernetes OpenAPI spec compiled to validators) and
 *   @kubernetes-models/prometheus-operator (the PodMonitor CRD's schema): types, required fields,
 *   formats and enums — but, as in the OpenAPI spec, unknown keys pass;
 * - the same packages' TypeScript interfaces, generated from the same spec: each manifest is
 *   type-checked as an object literal of its kind, so a misspelt or misplaced key anywhere
 *   (`readinesProbe`, `securityContext.runAsNonroot`) is an excess-property error, as the
 *   apiserver's strict field validation (kubectl apply --validate=strict) would report.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';

interface Kind {
  /** Runs the schema validator; throws with the JSON path of the first problems. */
  validate(doc: object): void;
  /** Module and interface of the kind's TypeScript declaration. */
  module: string;
  type: string;
}

const kind = <T extends { validate(): void }>(make: (doc: never) => T, module: string, type: string): Kind => ({
  validate: (doc) => make(doc as never).validate(),
  module,
  type,
});

/** `apiVersion/kind` → its schema. Only the kinds deploy/kubernetes uses. */
export const KINDS: Readonly<Record<string, Kind>> = {
  'v1/ConfigMap': kind((d) => new ConfigMap(d), 'kubernetes-models/v1/ConfigMap', 'IConfigMap'),
  'v1/Secret': kind((d) => new Secret(d), 'kubernetes-models/v1/Secret', 'ISecret'),
  'v1/PersistentVolumeClaim': kind((d) => new PersistentVolumeClaim(d), 'kubernetes-models/v1/PersistentVolumeClaim', 'IPersistentVolumeClaim'),
  'v1/Service': kind((d) => new Service(d), 'kubernetes-models/v1/Service', 'IService'),
  'apps/v1/Deployment': kind((d) => new Deployment(d), 'kubernetes-models/apps/v1/Deployment', 'IDeployment'),
  'batch/v1/CronJob': kind((d) => new CronJob(d), 'kubernetes-models/batch/v1/CronJob', 'ICronJob'),
  'monitoring.coreos.com/v1/PodMonitor': kind((d) => new PodMonitor(d), '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor', 'IPodMonitor'),
};

export interface Manifest {
  /** file#index, for messages */
  where: string;
  doc: { apiVersion: string; kind: string } & Record<string, unknown>;
}

/**
 * Type-checks every manifest as a literal of its kind's interface in one in-memory program;
 * returns one message per problem, naming the manifest and the TypeScript diagnostic.
 */
export function strictKeyProblems(manifests: readonly Manifest[]): string[] {
  // In memory only, but placed beside this file so that node_modules resolves as for real files
  // (Node10 resolution: the packages' `exports` map does not list their declaration paths).
  const here = fileURLToPath(new URL('.', import.meta.url));
  const files = new Map<string, string>();
  manifests.forEach((m, i) => {
    const k = KINDS[`${m.doc.apiVersion}/${m.doc.kind}`];
    if (!k) return;
    const path = join(here, `virtual-manifest-${i}.ts`);
    files.set(path, `import type { ${k.type} } from ${JSON.stringify(k.module)};\nexport const manifest: ${k.type} = ${JSON.stringify(m.doc, null, 1)};\n`);
  });
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = files.get(f);
    return text === undefined ? getSourceFile(f, lang, onError, create) : ts.createSourceFile(f, text, lang);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const problems: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const index = d.file ? Number(/virtual-manifest-(\d+)\.ts$/.exec(d.file.fileName)?.[1]) : NaN;
    const where = manifests[index]?.where ?? d.file?.fileName ?? 'TypeScript';
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const context = d.file && line >= 0 ? d.file.text.split('\n')[line]?.trim() : '';
    problems.push(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}${context ? ` (at ${context})` : ''}`);
  }
  return problems;
}
