/**
 * Project-root detection: a table's owners live in files all over the project, so linting one file
 * or one sub-folder (an editor on save, a pre-commit hook) must still read the whole project.
 *
 * From the folder of each linted path, walk up:
 *  1. a folder holding a tablewarden configuration (`.tablewarden.json`, or `pyproject.toml` with a
 *     `[tool.tablewarden]` table) is the root: explicit wins, and the search stops there;
 *  2. otherwise the root is the topmost folder on the way that holds a Python project marker
 *     (`manage.py`, `alembic.ini`, `pyproject.toml`, `setup.py`, `setup.cfg`), without climbing past the
 *     repository root (the folder holding `.git`, a folder or a worktree's file) nor into the home folder
 *     or the system's temporary folder (a stray file there must not make it a project);
 *  3. with no marker on the way, the linted path itself is the root (the behaviour before detection).
 * Topmost rather than nearest: an Alembic environment inside a package (`plugin/alembic.ini`) sits below
 * the project's own `manage.py`; reading too much costs time, reading too little gives false findings.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";

export const PROJECT_MARKERS = ["manage.py", "alembic.ini", "pyproject.toml", "setup.py", "setup.cfg"] as const;

export interface ProjectRoot {
  /** Absolute folder the whole project is read from. */
  root: string;
  /** Why this folder: shown by --debug and documented in docs/integrations.md. */
  reason: "config" | "marker" | "given";
}

export function hasConfig(dir: string): boolean {
  if (existsSync(path.join(dir, ".tablewarden.json"))) return true;
  const toml = path.join(dir, "pyproject.toml");
  if (!existsSync(toml)) return false;
  try {
    return /^\s*\[tool\.tablewarden\b/m.test(readFileSync(toml, "utf8"));
  } catch {
    return false;
  }
}

/** The project root for one linted path (absolute file or folder; need not exist for stdin). */
export function findProjectRoot(target: string): ProjectRoot {
  const start = isDirectory(target) ? target : path.dirname(target);
  const boundaries = new Set([homedir(), tmpdir()]);
  let topmost: string | null = null;
  for (let d = start; ; d = path.dirname(d)) {
    if (boundaries.has(d) && d !== start) break;
    if (hasConfig(d)) return { root: d, reason: "config" };
    if (PROJECT_MARKERS.some((m) => existsSync(path.join(d, m)))) topmost = d;
    if (existsSync(path.join(d, ".git")) || path.dirname(d) === d) break;
  }
  return topmost ? { root: topmost, reason: "marker" } : { root: start, reason: "given" };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Whether a project-relative path (forward slashes) lies in one of the requested relative paths. */
export function inRequested(file: string, requested: string[]): boolean {
  return requested.some((r) => r === "" || r === "." || file === r || file.startsWith(r.endsWith("/") ? r : `${r}/`));
}
