/**
 * discover: roots → the Python and ini files worth looking at, relative to the base directory.
 * Honours .gitignore files (nested ones too); skips virtualenvs, site-packages, caches and VCS folders.
 */
import path from "node:path";
import { existsSync, readdirSync } from "node:fs";
import { deployKindOf } from "./deploy-files.js";
import { walk } from "./walk.js";

export interface SourceFile {
  /** Absolute path. */
  abs: string;
  /** Relative to the base directory, forward slashes: the path findings use. */
  rel: string;
  kind: "python" | "ini" | "pyproject" | "deploy";
}

/** Folders no project code lives in. */
export const DEFAULT_IGNORES = [
  "**/node_modules/**",
  "**/.git/**",
  "**/.hg/**",
  "**/.venv/**",
  "**/venv/**",
  "**/.virtualenvs/**",
  "**/site-packages/**",
  "**/dist-packages/**",
  "**/__pycache__/**",
  "**/.tox/**",
  "**/.nox/**",
  "**/.mypy_cache/**",
  "**/.pytest_cache/**",
  "**/.ruff_cache/**",
];

export interface DiscoverOptions {
  /** Absolute directories (or files) to lint. */
  roots: string[];
  /** Absolute directory that relative paths are computed from. */
  base: string;
  ignore: string[];
  /** Told how many candidate files the walk of a root has found so far (see WalkOptions.found). */
  found?: (count: number) => void;
}

/** `*.py`, `*.ini`, `pyproject.toml`, and `pyvenv.cfg` (which marks a virtualenv). */
function isCandidate(name: string): boolean {
  return name.endsWith(".py") || name.endsWith(".ini") || name === "pyproject.toml" || name === "pyvenv.cfg";
}

/** Names a deploy file can have (deployKindOf decides from the whole path; YAML files need their folder). */
function mayBeDeployFile(name: string): boolean {
  return /^(?:dockerfile|containerfile)|\.(?:dockerfile|containerfile|sh|bash|mk|ya?ml)$|^(?:docker-)?compose|^procfile|^(?:gnu)?makefile$|^(?:fly\.toml|app\.json)$/i.test(name);
}

/** CI files in dot folders, which the walker skips like every dot name: looked up where they live. */
function dotDeployFiles(root: string): string[] {
  const out: string[] = [];
  if (existsSync(path.join(root, ".gitlab-ci.yml"))) out.push(path.join(root, ".gitlab-ci.yml"));
  for (const dir of [path.join(root, ".github", "workflows"), path.join(root, ".gitlab", "ci")]) {
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(path.join(dir, e.name));
    } catch {
      // no such folder
    }
  }
  return out;
}

export async function discover(opts: DiscoverOptions): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  // Several roots can overlap (a folder and a file in it): each file once. One root lists each file once.
  const seen = opts.roots.length > 1 ? new Set<string>() : null;
  // Relative paths by slicing when base and root are resolved (the walker then returns resolved paths).
  const baseResolved = path.resolve(opts.base) === opts.base;
  const basePrefix = opts.base.endsWith(path.sep) ? opts.base : opts.base + path.sep;
  for (const root of opts.roots) {
    const sliceable = baseResolved && path.resolve(root) === root;
    const found = walk(root, { ignore: [...DEFAULT_IGNORES, ...opts.ignore], wanted: (name) => isCandidate(name) || mayBeDeployFile(name), found: opts.found });
    const dotted = dotDeployFiles(root);
    // Any folder holding a pyvenv.cfg is a virtualenv, whatever its name.
    const venvs = found.filter((f) => f.endsWith("pyvenv.cfg") && path.basename(f) === "pyvenv.cfg").map((f) => path.dirname(f) + path.sep);
    for (const abs of found.concat(dotted)) {
      if (abs.endsWith("pyvenv.cfg")) continue;
      if (venvs.length > 0 && venvs.some((v) => abs.startsWith(v))) continue;
      if (seen) {
        if (seen.has(abs)) continue;
        seen.add(abs);
      }
      const rel = toPosix(sliceable && abs.startsWith(basePrefix) ? abs.slice(basePrefix.length) : path.relative(opts.base, abs));
      const kind = abs.endsWith(".py") ? "python" : abs.endsWith(".ini") ? "ini" : abs === "pyproject.toml" || abs.endsWith("/pyproject.toml") ? "pyproject" : null;
      if (kind) out.push({ abs, rel, kind });
      else if (deployKindOf(rel)) out.push({ abs, rel, kind: "deploy" });
    }
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

export function toPosix(p: string): string {
  return path.sep === "/" ? p : p.split(path.sep).join("/");
}
