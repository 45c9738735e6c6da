/**
 * The file walker behind discovery: one synchronous pass over a folder tree that keeps the files
 * `wanted` accepts, honouring every `.gitignore` from the repository root down (nested ones too, the
 * deeper file taking precedence, as git does) and exclude globs with the meaning globby/fast-glob gave
 * them. test/walk.test.ts checks that the file set equals globby's (`gitignore: true`).
 *
 * Like globby with `dot: false` and `followSymbolicLinks: false`: names starting with "." are skipped,
 * symbolic links are neither listed nor followed, and unreadable folders are passed over.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import type { Dirent } from "node:fs";
import path from "node:path";
import ignore from "ignore";
import type { Ignore } from "ignore";
import picomatch from "picomatch";

export interface WalkOptions {
  /** Exclude globs relative to the root (fast-glob `ignore` semantics). */
  ignore: string[];
  /** File names to keep. */
  wanted: (name: string) => boolean;
  /** Told how many files have been kept so far, after each one (a run starts its worker threads early on a large tree). */
  found?: (count: number) => void;
}

/** One .gitignore: its folder (absolute) and its rules. */
interface IgnoreFile {
  dir: string;
  /** The folder, resolved, ending in a separator: paths under it are a slice away from relative. */
  prefix: string;
  rules: Ignore;
}

/** Absolute paths of the wanted files under `root`, in no particular order. */
export function walk(root: string, opts: WalkOptions): string[] {
  const out: string[] = [];
  const excluded = excludeMatchers(opts.ignore.map((g) => directoryGlob(g, root)));
  let isDir: boolean;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    return out;
  }
  if (!isDir) {
    // A single file given on the command line (a pre-commit hook passes file names).
    if (opts.wanted(path.basename(root))) out.push(root);
    return out;
  }
  // Paths are built by concatenation from the normalised root: path.join(dir, name) is `dir/name` for
  // a normalised `dir` and a name from readdir, and this loop runs for every file and folder.
  const found = opts.found;
  const visit = (dir: string, rel: string, gitignores: IgnoreFile[]): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const local = entries.some((e) => e.name === ".gitignore" && e.isFile()) ? readGitignore(dir) : null;
    const active = local ? [...gitignores, local] : gitignores;
    const absPrefix = dir === "." || dir === `.${path.sep}` ? "" : withSep(dir);
    const relPrefix = rel ? `${rel}/` : "";
    for (const e of entries) {
      const name = e.name;
      if (name.startsWith(".")) continue;
      const childRel = relPrefix + name;
      const abs = absPrefix + name;
      if (e.isDirectory()) {
        if (excluded.dir(childRel) || gitIgnored(active, abs, true)) continue;
        visit(abs, childRel, active);
      } else if (e.isFile() && opts.wanted(name)) {
        if (excluded.file(childRel) || gitIgnored(active, abs, false)) continue;
        out.push(abs);
        found?.(out.length);
      }
    }
  };
  visit(path.normalize(root), "", parentGitignores(root));
  return out;
}

// globby's `expandDirectories` for ignore globs: "**/name" and a glob naming an existing folder mean "<glob>/**".
function directoryGlob(glob: string, root: string): string {
  const named = /\*\*\/([^/]+)$/.exec(glob)?.[1];
  if (named !== undefined && !/[*?[\]{}]/.test(named) && !(path.extname(named) && !named.startsWith("."))) return `${glob}/**`;
  try {
    return statSync(path.isAbsolute(glob) ? glob : path.join(root, glob)).isDirectory() ? path.posix.join(glob, "**") : glob;
  } catch {
    return glob;
  }
}

// fast-glob's two uses of `ignore` globs: a folder is pruned by the globs ending in "/**" (matched
// without dot-names), a file is dropped by any glob (matched with them). Each use is one regular
// expression (the globs' own, joined): tried on every folder and file, it is the walker's hot path.
function excludeMatchers(globs: string[]): { dir: (rel: string) => boolean; file: (rel: string) => boolean } {
  const none = () => false;
  if (globs.length === 0) return { dir: none, file: none };
  const base = { posix: true, strictSlashes: false };
  const deep = globs.filter((g) => g.endsWith("/**") || /(?:^|\/)\.\.(?:\/|$)/.test(g));
  return {
    dir: deep.length > 0 ? anyOf(deep, { ...base, dot: false }) : none,
    file: anyOf(globs, { ...base, dot: true }),
  };
}

/** picomatch(globs) as one regular expression, when every glob compiles to one without flags. */
function anyOf(globs: string[], options: picomatch.PicomatchOptions): (rel: string) => boolean {
  const res = globs.map((g) => picomatch.makeRe(g, options));
  if (res.some((re) => re.flags !== "")) return picomatch(globs, options);
  const re = new RegExp(res.map((r) => `(?:${r.source})`).join("|"));
  // Every match of `**/<name>/**` contains <name>. When every glob has that form (the default ones do),
  // a path holding none of the names is decided by `includes` instead of the regular expression.
  const names = globs.map((g) => /^\*\*\/([\w.-]+)\/\*\*$/.exec(g)?.[1]);
  if (names.some((n) => n === undefined)) return (rel) => re.test(rel);
  const required = names as string[];
  return (rel) => {
    for (const name of required) if (rel.includes(name)) return re.test(rel);
    return false;
  };
}

function readGitignore(dir: string): IgnoreFile | null {
  try {
    return { dir, prefix: withSep(path.resolve(dir)), rules: ignore().add(gitignoreLines(readFileSync(path.join(dir, ".gitignore"), "utf8"))) };
  } catch {
    return null;
  }
}

/** Lines as git reads them: no BOM, no comments, trailing blanks dropped unless backslash-escaped. */
function gitignoreLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(normalizeLine)
    .filter((l) => l !== "" && !l.startsWith("#"));
}

function normalizeLine(raw: string): string {
  const line = raw.replace(/^\uFEFF/, "");
  const end = line.trimEnd().length;
  if (end === line.length) return line;
  let backslashes = 0;
  for (let i = end - 1; i >= 0 && line[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1 ? `${line.slice(0, end)} ` : line.slice(0, end);
}

/** The .gitignore files of the folders above `root`, from the repository root down (none outside a repository). */
function parentGitignores(root: string): IgnoreFile[] {
  if (existsSync(path.join(root, ".git"))) return [];
  const chain: string[] = [];
  for (let d = path.dirname(root); ; d = path.dirname(d)) {
    chain.push(d);
    if (existsSync(path.join(d, ".git"))) {
      return chain
        .reverse()
        .map((dir) => (existsSync(path.join(dir, ".gitignore")) ? readGitignore(dir) : null))
        .filter((g): g is IgnoreFile => g !== null);
    }
    if (path.dirname(d) === d) return [];
  }
}

/** Last match wins, deeper files after shallower ones; folders already pruned are never asked about. */
function gitIgnored(files: IgnoreFile[], abs: string, dir: boolean): boolean {
  let ignored = false;
  for (const g of files) {
    const rel = posix(abs.startsWith(g.prefix) ? abs.slice(g.prefix.length) : path.relative(g.dir, abs)) + (dir ? "/" : "");
    const t = g.rules.test(rel);
    if (t.ignored) ignored = true;
    else if (t.unignored) ignored = false;
  }
  return ignored;
}

function withSep(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

function posix(p: string): string {
  return path.sep === "/" ? p : p.split(path.sep).join("/");
}
