/**
 * A small kustomize, for the manifest tests where no kustomize binary is installed. It knows
 * exactly the fields deploy/kubernetes uses — resources (files and folders), namespace,
 * configMapGenerator (files, literals, options.labels, the content-hash name suffix),
 * labels (pairs, includeSelectors, includeTemplates) and images — and throws on any other
 * field, so a kustomization that outgrows it fails loudly instead of rendering wrong.
 * Where kubectl is installed, tests compare its output with `kubectl kustomize`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object. */
export type KObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<
    string,
    unknown
  >;
} & Record<string, unknown>;

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'configMapGenerator',
  'labels',
  'images',
]);

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

interface Generated {
  object: KObject;
  /** Name before the hash suffix; undefined when no suffix is wanted. */
  hashFrom?: string;
}

interface Rendered {
  items: Generated[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kustomizationFile(dir: string): string {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${dir}: no kustomization.yaml`);
}

function readObjects(file: string): KObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      return doc.toJS() as unknown;
    })
    .filter((o): o is KObject => {
      if (o === null || o === undefined) return false;
      if (!isRecord(o) || typeof o.kind !== 'string' || !isRecord(o.metadata)) {
        throw new Error(`${file}: a document without kind or metadata`);
      }
      return true;
    });
}

// Go's encoding/json escapes these inside strings; kustomize hashes Go's encoding.
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

/**
 * kustomize's ConfigMap name suffix: sha256 of {data, kind, name} as Go JSON, 10 characters.
 * The name is always empty: kustomize looks up "metadata/name" as one key and finds nothing.
 */
export function configMapHash(data: Record<string, string>): string {
  const encoded = goJson(sortKeys({ data, kind: 'ConfigMap', name: '' }));
  const hex = createHash('sha256').update(encoded).digest('hex');
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => swap[c] ?? c).join('');
}

function generateConfigMaps(dir: string, entries: unknown): Generated[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new Error(`${dir}: configMapGenerator must be a list`);
  return entries.map((entry) => {
    if (!isRecord(entry) || typeof entry.name !== 'string') {
      throw new Error(`${dir}: configMapGenerator entries need a name`);
    }
    const known = new Set(['name', 'files', 'literals', 'options']);
    const unknown = Object.keys(entry).filter((k) => !known.has(k));
    if (unknown.length > 0) throw new Error(`${dir}: unsupported generator keys ${unknown}`);
    const data: Record<string, string> = {};
    for (const spec of (entry.files as string[] | undefined) ?? []) {
      const eq = spec.indexOf('=');
      const key = eq < 0 ? basename(spec) : spec.slice(0, eq);
      const path = eq < 0 ? spec : spec.slice(eq + 1);
      const full = resolve(dir, path);
      if (!full.startsWith(`${resolve(dir)}/`)) {
        throw new Error(`${dir}: ${path} is outside the kustomization (kustomize refuses it)`);
      }
      data[key] = readFileSync(full, 'utf8');
    }
    for (const literal of (entry.literals as string[] | undefined) ?? []) {
      const eq = literal.indexOf('=');
      data[literal.slice(0, eq)] = literal.slice(eq + 1);
    }
    const options = isRecord(entry.options) ? entry.options : {};
    const optionKeys = Object.keys(options).filter(
      (k) => k !== 'labels' && k !== 'disableNameSuffixHash',
    );
    if (optionKeys.length > 0)
      throw new Error(`${dir}: unsupported generator options ${optionKeys}`);
    const labels = isRecord(options.labels)
      ? (options.labels as Record<string, string>)
      : undefined;
    const object: KObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: entry.name, ...(labels ? { labels: { ...labels } } : {}) },
      data,
    };
    return options.disableNameSuffixHash === true ? { object } : { object, hashFrom: entry.name };
  });
}

function addLabels(target: Record<string, unknown>, pairs: Record<string, string>) {
  const labels = isRecord(target.labels) ? (target.labels as Record<string, string>) : {};
  target.labels = { ...labels, ...pairs };
}

function applyLabels(objects: KObject[], dir: string, entries: unknown) {
  if (entries === undefined) return;
  if (!Array.isArray(entries)) throw new Error(`${dir}: labels must be a list`);
  for (const entry of entries) {
    if (!isRecord(entry) || !isRecord(entry.pairs)) throw new Error(`${dir}: labels need pairs`);
    const unknown = Object.keys(entry).filter(
      (k) => !['pairs', 'includeSelectors', 'includeTemplates'].includes(k),
    );
    if (unknown.length > 0) throw new Error(`${dir}: unsupported labels keys ${unknown}`);
    if (entry.includeSelectors === true) {
      throw new Error(`${dir}: includeSelectors: true is not supported by this renderer`);
    }
    const pairs = entry.pairs as Record<string, string>;
    for (const object of objects) {
      addLabels(object.metadata, pairs);
      if (entry.includeTemplates === true && WORKLOADS.has(object.kind)) {
        const template = (object.spec as { template?: { metadata?: Record<string, unknown> } })
          ?.template;
        if (template) {
          template.metadata ??= {};
          addLabels(template.metadata, pairs);
        }
      }
    }
  }
}

function podSpecs(object: KObject): Record<string, unknown>[] {
  if (!WORKLOADS.has(object.kind)) return [];
  const spec = (object.spec as { template?: { spec?: Record<string, unknown> } })?.template?.spec;
  return spec ? [spec] : [];
}

function containersOf(pod: Record<string, unknown>): Record<string, unknown>[] {
  return ['containers', 'initContainers'].flatMap((k) =>
    Array.isArray(pod[k]) ? (pod[k] as Record<string, unknown>[]) : [],
  );
}

function applyImages(objects: KObject[], dir: string, entries: unknown) {
  if (entries === undefined) return;
  if (!Array.isArray(entries)) throw new Error(`${dir}: images must be a list`);
  for (const entry of entries) {
    if (!isRecord(entry) || typeof entry.name !== 'string')
      throw new Error(`${dir}: images need a name`);
    for (const container of objects.flatMap(podSpecs).flatMap(containersOf)) {
      const image = String(container.image ?? '');
      const match = /^(.*?)(?::([^:/@]+))?(?:@(sha256:[0-9a-f]+))?$/.exec(image);
      if (!match || match[1] !== entry.name) continue;
      const name = typeof entry.newName === 'string' ? entry.newName : match[1];
      if (typeof entry.digest === 'string') container.image = `${name}@${entry.digest}`;
      else {
        const tag = entry.newTag !== undefined ? String(entry.newTag) : match[2];
        container.image = `${name}${tag ? `:${tag}` : ''}${match[3] && entry.newTag === undefined ? `@${match[3]}` : ''}`;
      }
    }
  }
}

function renameConfigMapRefs(objects: KObject[], from: string, to: string) {
  for (const pod of objects.flatMap(podSpecs)) {
    for (const volume of (pod.volumes as Record<string, unknown>[] | undefined) ?? []) {
      const cm = volume.configMap as { name?: string } | undefined;
      if (cm?.name === from) cm.name = to;
      const sources = (volume.projected as { sources?: { configMap?: { name?: string } }[] })
        ?.sources;
      for (const source of sources ?? []) {
        if (source.configMap?.name === from) source.configMap.name = to;
      }
    }
    for (const container of containersOf(pod)) {
      for (const env of (container.env as Record<string, unknown>[] | undefined) ?? []) {
        const ref = (env.valueFrom as { configMapKeyRef?: { name?: string } })?.configMapKeyRef;
        if (ref?.name === from) ref.name = to;
      }
      for (const envFrom of (container.envFrom as Record<string, unknown>[] | undefined) ?? []) {
        const ref = envFrom.configMapRef as { name?: string } | undefined;
        if (ref?.name === from) ref.name = to;
      }
    }
  }
}

function renderDir(dir: string): Rendered {
  const file = kustomizationFile(dir);
  const k = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const unknown = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0) {
    throw new Error(`${file}: this test renderer does not support ${unknown.join(', ')}`);
  }
  const items: Generated[] = [];
  for (const entry of (k.resources as string[] | undefined) ?? []) {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory()) items.push(...renderDir(path).items);
    else items.push(...readObjects(path).map((object) => ({ object })));
  }
  items.push(...generateConfigMaps(dir, k.configMapGenerator));
  const objects = items.map((i) => i.object);
  if (typeof k.namespace === 'string') {
    for (const object of objects) {
      if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = k.namespace;
      // kustomize renames a Namespace object to the namespace it moves everything into.
      else if (object.kind === 'Namespace') object.metadata.name = k.namespace;
    }
  }
  applyLabels(objects, dir, k.labels);
  applyImages(objects, dir, k.images);
  return { items };
}

/** Renders the kustomization in `dir` as `kustomize build` would, for the supported fields. */
export function kustomize(dir: string): KObject[] {
  const { items } = renderDir(dir);
  const objects = items.map((i) => i.object);
  for (const item of items) {
    if (item.hashFrom === undefined) continue;
    const data = (item.object.data as Record<string, string> | undefined) ?? {};
    const hashed = `${item.hashFrom}-${configMapHash(data)}`;
    item.object.metadata.name = hashed;
    renameConfigMapRefs(objects, item.hashFrom, hashed);
  }
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(id)) throw new Error(`${dir}: ${id} appears twice`);
    seen.add(id);
  }
  return objects;
}
