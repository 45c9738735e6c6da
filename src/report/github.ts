/**
 * `--format github`: GitHub Actions workflow commands, one annotation per finding
 * (`::error file=...,line=...::message`), shown on the pull request's diff.
 *
 * GitHub places an annotation by its path from the repository's root, while findings are relative to the
 * project root, which can be a sub-folder (`backend/` in a monorepo): paths are rebased onto the workspace.
 */
import path from "node:path";
import type { Finding } from "../types.js";

/** Where finding paths start (the project root) and where GitHub's start (the checkout), both absolute. */
export interface GithubPaths {
  root: string;
  workspace: string;
}

const LEVEL: Record<Finding["severity"], string> = { error: "error", warning: "warning", info: "notice" };

/** Data of a workflow command: %, CR and LF are escaped. */
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Property values escape `:` and `,` too. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * A finding's path from the workspace, with forward slashes; unchanged without `paths`, or when the file is
 * outside the workspace (GitHub cannot place it anyway).
 */
function fromWorkspace(file: string, paths: GithubPaths | undefined): string {
  if (!paths) return file;
  const rel = path.relative(paths.workspace, path.join(paths.root, file));
  if (rel === "" || rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join("/");
}

export function formatGithub(findings: Finding[], paths?: GithubPaths): string {
  return findings
    .map((f) => {
      const props = [
        `file=${escapeProperty(fromWorkspace(f.loc.file, paths))}`,
        `line=${f.loc.line}`,
        `col=${f.loc.column}`,
        `endLine=${f.loc.endLine}`,
        `endColumn=${f.loc.endColumn}`,
        `title=${escapeProperty(`tablewarden (${f.ruleId})`)}`,
      ].join(",");
      const related = f.related.map((r) => `\n  ${fromWorkspace(r.loc.file, paths)}:${r.loc.line}: ${r.message}`).join("");
      const help = f.help && f.severity !== "info" ? `\nFix: ${f.help}` : "";
      return `::${LEVEL[f.severity]} ${props}::${escapeData(f.message + related + help)}\n`;
    })
    .join("");
}
