/**
 * Deploy files by name: which file is a Dockerfile, a compose file, a CI workflow… Discovery never
 * reads a file to decide (a project without deploy files pays nothing for them).
 */
import path from "node:path";
import type { DeployKind } from "../extract/deploy/facts.js";

/** Folders whose YAML files are Kubernetes manifests or Helm templates. */
const K8S_DIRS = /(?:^|\/)(?:k8s|kubernetes|kube|manifests|helm|charts?|templates|deploy|deployments?|kustomize|overlays|openshift)\//i;

/** Which deploy file a path is, from its name alone (discovery never reads a file to decide). */
export function deployKindOf(rel: string): DeployKind | null {
  const name = path.posix.basename(rel);
  const lower = name.toLowerCase();
  if (/^(?:dockerfile|containerfile)(?:[.-].*)?$/i.test(name) || /\.(?:dockerfile|containerfile)$/i.test(name)) return "dockerfile";
  if (/^(?:docker-)?compose(?:[.-][\w.-]*)?\.ya?ml$/.test(lower)) return "compose";
  if (/^procfile(?:\.[\w-]+)?$/.test(lower)) return "procfile";
  if (/\.(?:sh|bash)$/.test(lower)) return "shell";
  if (/^(?:gnu)?makefile$/.test(lower) || lower.endsWith(".mk")) return "makefile";
  if (/(?:^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(rel)) return "github-actions";
  if (lower === ".gitlab-ci.yml" || lower.endsWith(".gitlab-ci.yml") || /(?:^|\/)\.gitlab\/ci\/[^/]+\.ya?ml$/.test(rel)) return "gitlab-ci";
  if (lower === "fly.toml") return "fly";
  if (lower === "render.yaml" || lower === "render.yml") return "render";
  if (lower === "app.json") return "app-json";
  if (/\.ya?ml$/.test(lower) && K8S_DIRS.test(rel) && lower !== "chart.yaml" && !/^values(?:[.-].*)?\.ya?ml$/.test(lower)) return "kubernetes";
  return null;
}

/** Django settings modules by name: `settings.py`, `settings_test.py`, `settings.prod.py`, `settings/<any>.py`. */
export const SETTINGS_FILE = /(?:^|\/)settings(?:[_.][^/]*)?\.py$|(?:^|\/)settings\/[^/]+\.py$/;

/** Django management commands (a project's own `migrate` wrapper is one). */
export const MANAGEMENT_COMMAND = /(?:^|\/)management\/commands\/[a-z_][a-z0-9_]*\.py$/;

/**
 * Python files the deploy side reads, besides the scripts deploy files run: Alembic's env.py (its advisory
 * lock), management commands, settings and pytest's conftest.py (what hides from-scratch breakage in tests).
 * A run keeps their texts when it reads them, so that they are not read twice.
 */
export function deployReadsPython(rel: string): boolean {
  const name = path.posix.basename(rel);
  return name === "env.py" || name === "conftest.py" || SETTINGS_FILE.test(rel) || MANAGEMENT_COMMAND.test(rel);
}

/** Globs for discovery, by name (dot folders listed explicitly). */
export const DEPLOY_GLOBS = [
  "**/{Dockerfile,Containerfile,dockerfile}",
  "**/{Dockerfile,Containerfile}.*",
  "**/*.{dockerfile,Dockerfile}",
  "**/{docker-compose,compose}*.{yml,yaml}",
  "**/Procfile{,.*}",
  "**/*.{sh,bash}",
  "**/{Makefile,makefile,GNUmakefile,*.mk}",
  "**/{fly.toml,render.yaml,render.yml,app.json}",
  "**/{k8s,kubernetes,kube,manifests,helm,charts,chart,templates,deploy,deployment,deployments,kustomize,overlays,openshift}/**/*.{yml,yaml}",
];
/** Rooted, so that globbing them with `dot: true` walks only these folders. */
export const DEPLOY_DOT_GLOBS = [".github/workflows/*.{yml,yaml}", ".gitlab-ci.yml", ".gitlab/ci/*.{yml,yaml}"];
