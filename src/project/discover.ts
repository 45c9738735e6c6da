/**
 * discover: roots → the Python and ini files worth looking at, relative to the base directory.
 * Honours .gitignore; skips virtualenvs, site-packages, caches and VCS folders.
 */
import { globby } from "globby";
import path from "node:path";
import { DEPLOY_DOT_GLOBS, DEPLOY_GLOBS, deployKindOf } from "./deploy-files.js";

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
}

export async function discover(opts: DiscoverOptions): Promise<SourceFile[]> {
  const seen = new Map<string, SourceFile>();
  for (const root of opts.roots) {
    const patterns = ["**/*.py", "**/*.ini", "**/pyproject.toml", "**/pyvenv.cfg", ...DEPLOY_GLOBS];
    const found = await globby(patterns, {
      cwd: root,
      absolute: true,
      gitignore: true,
      dot: false,
      followSymbolicLinks: false,
      ignore: [...DEFAULT_IGNORES, ...opts.ignore],
      suppressErrors: true,
    });
    // CI workflows live in dot folders: rooted patterns, so this walks only those folders.
    const dotted = await globby(DEPLOY_DOT_GLOBS, { cwd: root, absolute: true, gitignore: true, dot: true, followSymbolicLinks: false, ignore: [...DEFAULT_IGNORES, ...opts.ignore], suppressErrors: true });
    // Any folder holding a pyvenv.cfg is a virtualenv, whatever its name.
    const venvs = found.filter((f) => path.basename(f) === "pyvenv.cfg").map((f) => path.dirname(f) + path.sep);
    for (const abs of [...found, ...dotted]) {
      if (abs.endsWith("pyvenv.cfg")) continue;
      if (venvs.some((v) => abs.startsWith(v))) continue;
      const rel = toPosix(path.relative(opts.base, abs));
      if (/\.(?:py|ini)$|(?:^|\/)pyproject\.toml$/.test(abs)) seen.set(abs, { abs, rel, kind: abs.endsWith(".py") ? "python" : abs.endsWith(".toml") ? "pyproject" : "ini" });
      else if (deployKindOf(rel)) seen.set(abs, { abs, rel, kind: "deploy" });
    }
  }
  return [...seen.values()].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

export function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
