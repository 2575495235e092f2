// How the test kubelet turns a container spec into a local process: environment (values, fieldRef,
// secret and config map references, envFrom), $(VAR) expansion in command and args as Kubernetes
// does it, and volume mount paths mapped onto local directories. Pure apart from the lookups passed in.
import type { V1Container, V1Pod } from '@kubernetes/client-node';

export interface EnvLookups {
  /** A secret's decoded data, or undefined when it does not exist. */
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

export class ContainerConfigError extends Error {}

/** The value of a downward-API field path for this pod. */
export function fieldValue(pod: V1Pod, fieldPath: string): string {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (labelOrAnnotation) {
    const map = labelOrAnnotation[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[labelOrAnnotation[2]!] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((a) => a.ip).join(',');
    case 'status.podIP':
      return pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((a) => a.ip).join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldRef ${fieldPath}`);
  }
}

/** Expands $(NAME) from vars; $$ escapes; unknown names stay as written (Kubernetes' rules). */
export function expandVars(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '$' && input[i + 1] === '$') {
      out += '$';
      i++;
    } else if (c === '$' && input[i + 1] === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += vars.has(name) ? vars.get(name)! : input.slice(i, end + 1);
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/** The container's environment, in Kubernetes' order: envFrom, then env (later wins). */
export async function resolveEnv(pod: V1Pod, container: V1Container, lookups: EnvLookups): Promise<Map<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref?.name) continue;
    const data = from.secretRef ? await lookups.secret(ns, ref.name) : await lookups.configMap(ns, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${from.secretRef ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) vars.set(prefix + k, v);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      vars.set(e.name, expandVars(e.value, vars));
      continue;
    }
    const from = e.valueFrom;
    if (!from) {
      vars.set(e.name, '');
    } else if (from.fieldRef) {
      vars.set(e.name, fieldValue(pod, from.fieldRef.fieldPath));
    } else if (from.secretKeyRef || from.configMapKeyRef) {
      const ref = (from.secretKeyRef ?? from.configMapKeyRef)!;
      const kind = from.secretKeyRef ? 'secret' : 'configmap';
      const data = from.secretKeyRef ? await lookups.secret(ns, ref.name ?? '') : await lookups.configMap(ns, ref.name ?? '');
      const value = data?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(data ? `couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}` : `${kind} "${ref.name}" not found`);
      }
      vars.set(e.name, value);
    } else if (from.resourceFieldRef) {
      const [kind, resource] = from.resourceFieldRef.resource.split('.') as ['limits' | 'requests', string];
      const value = container.resources?.[kind]?.[resource];
      vars.set(e.name, value === undefined ? '0' : String(value));
    }
  }
  return vars;
}

/** The command line, with $(VAR) expanded. Empty when neither command nor args is set. */
export function commandLine(container: V1Container, vars: ReadonlyMap<string, string>): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].map((a) => expandVars(a, vars));
}

/** Rewrites paths under a mount point onto the local directory backing it (longest mount first). */
export function mapPaths(value: string, mounts: ReadonlyArray<{ mountPath: string; localDir: string }>): string {
  const sorted = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const m of sorted) {
    const mp = m.mountPath.replace(/\/+$/, '');
    const idx = value.indexOf(mp);
    if (idx < 0) continue;
    const after = value[idx + mp.length];
    // Only whole path components: /data matches /data and /data/x, not /database.
    if (after !== undefined && after !== '/' && after !== ' ' && after !== ':' && after !== ',') continue;
    return value.slice(0, idx) + m.localDir + value.slice(idx + mp.length);
  }
  return value;
}
