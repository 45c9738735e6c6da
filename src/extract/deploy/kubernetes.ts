/**
 * Kubernetes manifests and Helm templates: Jobs, CronJobs, Deployments, StatefulSets, Pods.
 * initContainers run one after the other before a pod's containers; separate workloads run at the
 * same time, except Helm hooks (pre-* before the release's resources, post-* after them, one hook at
 * a time by weight) and Argo CD hooks and sync waves.
 */
import type { DeployFacts, DeployUnit } from "./facts.js";
import { commandsOfPair, entries, get, items, str } from "./yaml.js";
import type { YamlCtx } from "./yaml.js";

export const K8S_CONCURRENCY =
  "Kubernetes starts separate Jobs and Deployments at the same time (only a pod's initContainers run in order, and Helm/Argo CD hooks and sync waves order whole resources)";

const WORKLOADS = new Set(["Job", "CronJob", "Deployment", "StatefulSet", "DaemonSet", "Pod", "ReplicaSet"]);

/** Replace Helm template actions so the manifest parses as YAML, keeping every line and column. */
export function stripHelm(text: string): string {
  if (!text.includes("{{")) return text;
  return text
    .split("\n")
    .map((line) => {
      if (/^\s*\{\{-?[^}]*-?\}\}\s*$/.test(line)) return " ".repeat(line.length);
      return line.replace(/\{\{-?[\s\S]*?-?\}\}/g, (m) => "x".repeat(m.length));
    })
    .join("\n");
}

export function readKubernetes(ctx: YamlCtx, docs: unknown[]): Pick<DeployFacts, "units" | "concurrency"> {
  const units: DeployUnit[] = [];
  for (const doc of docs) {
    const kind = str(ctx, get(ctx, doc, "kind"));
    if (!kind || !WORKLOADS.has(kind)) continue;
    const name = str(ctx, get(ctx, doc, "metadata", "name")) ?? "(unnamed)";
    const annotations = get(ctx, doc, "metadata", "annotations");
    const spec =
      kind === "Pod" ? get(ctx, doc, "spec") : kind === "CronJob" ? get(ctx, doc, "spec", "jobTemplate", "spec", "template", "spec") : get(ctx, doc, "spec", "template", "spec");
    const rank = rankOf(ctx, annotations, `${kind}/${name}`);
    const inits: string[] = [];
    const add = (c: unknown, init: boolean) => {
      const cname = str(ctx, get(ctx, c, "name")) ?? "?";
      const id = `${kind}/${name}/${init ? "init/" : ""}${cname}`;
      units.push({
        id,
        name: `${kind} \`${name}\` ${init ? "initContainer" : "container"} \`${cname}\``,
        loc: locOfDoc(ctx, c),
        commands: commandsOfPair(ctx, get(ctx, c, "command"), get(ctx, c, "args")),
        after: [...inits],
        ownDatabase: false,
        ci: false,
        rank,
      });
      if (init) inits.push(id);
    };
    for (const c of items(ctx, get(ctx, spec, "initContainers"))) add(c, true);
    for (const c of items(ctx, get(ctx, spec, "containers"))) add(c, false);
  }
  return { units, concurrency: K8S_CONCURRENCY };
}

function locOfDoc(ctx: YamlCtx, n: unknown) {
  const first = entries(ctx, n)[0];
  return first ? first.keyLoc : { file: ctx.file, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

/**
 * [phase, weight, tie]: pre-install/pre-upgrade (and Argo PreSync) hooks first, one at a time by
 * weight then name; the release's resources next (Argo sync waves in order, one wave at a time);
 * post-* hooks last. Equal ranks run at the same time.
 */
function rankOf(ctx: YamlCtx, annotations: unknown, name: string): [number, number, string] {
  const helm = str(ctx, get(ctx, annotations, "helm.sh/hook")) ?? "";
  const argo = str(ctx, get(ctx, annotations, "argocd.argoproj.io/hook")) ?? "";
  const num = (key: string) => {
    const v = Number(str(ctx, get(ctx, annotations, key)) ?? "0");
    return Number.isFinite(v) ? v : 0;
  };
  if (/\bpre-(?:install|upgrade)\b/.test(helm)) return [0, num("helm.sh/hook-weight"), name];
  if (/\bpost-(?:install|upgrade)\b/.test(helm)) return [2, num("helm.sh/hook-weight"), name];
  if (argo === "PreSync") return [0, num("argocd.argoproj.io/sync-wave"), name];
  if (argo === "PostSync") return [2, num("argocd.argoproj.io/sync-wave"), name];
  return [1, num("argocd.argoproj.io/sync-wave"), ""];
}
