/**
 * The persistent facts cache: FileFacts of every parsed file, keyed by a hash of (path, content,
 * SQL reader, tool version and build), so a second run re-parses only what changed.
 *
 * One pack file per linted folder under the cache directory (`$TABLEWARDEN_CACHE_DIR`, else
 * `node_modules/.cache/tablewarden` next to the installed package, else the OS cache folder). A run
 * reads its pack once and, when anything changed, writes the entries it used to a temporary file
 * renamed into place: concurrent runs each leave a whole pack (the last one wins), and a pack that
 * cannot be read, or was written by another version, is ignored. Never throws: a cache that does not
 * work is no cache.
 */
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { FileFacts } from "../extract/facts.js";
import { packageRoot } from "../data/catalog.js";

/** Bump when the pack layout changes. 2: the pack is pure ASCII (see asciiJson). */
const FORMAT = 2;

export interface FactsCache {
  /** The cached facts for `key`, or undefined. */
  get(key: string): FileFacts | undefined;
  /** The cached facts for `key` without counting them as used by this run (they stay out of the next pack unless `get` follows). */
  peek(key: string): FileFacts | undefined;
  has(key: string): boolean;
  /** The keys of every usable entry (for threads that must know what not to parse). */
  keys(): string[];
  /** An unchanged file's facts key and prefilter verdict, from its size and modification time. */
  known(rel: string, mtimeMs: number, size: number): FileStamp | undefined;
  /** Record what reading a file found, for `known` in later runs. */
  remember(rel: string, mtimeMs: number, size: number, stamp: FileStamp): void;
  set(key: string, facts: FileFacts): void;
  /** Write the pack if this run changed it (entries not used by this run are dropped). */
  save(): void;
  hits: number;
}

/** Where packs live when nothing else is said. */
export function defaultCacheDir(root: string): string {
  const env = process.env["TABLEWARDEN_CACHE_DIR"];
  if (env) return path.resolve(env);
  const parent = path.dirname(root);
  if (path.basename(parent) === "node_modules") return path.join(parent, ".cache", "tablewarden");
  if (existsSync(path.join(root, "node_modules"))) return path.join(root, "node_modules", ".cache", "tablewarden");
  // bin/tablewarden.js names the same OS folder for the code cache: change both together.
  if (process.platform === "win32" && process.env["LOCALAPPDATA"]) return path.join(process.env["LOCALAPPDATA"], "tablewarden", "Cache");
  if (process.platform === "darwin") return path.join(homedir(), "Library", "Caches", "tablewarden");
  return path.join(process.env["XDG_CACHE_HOME"] || path.join(homedir(), ".cache"), "tablewarden");
}

/**
 * What cached facts depend on besides the file: the tool's version and its compiled parser and
 * extractors (their modification times, so a rebuild of a development checkout invalidates too).
 */
export function toolFingerprint(version: string): string {
  // The compiled modules, whether this code runs from them or from the CLI bundle built out of them at the same time.
  const dist = path.join(packageRoot(), "dist", "src");
  const h = createHash("sha1").update(`${FORMAT}\0${version}`);
  for (const sub of ["python", "extract", "extract/django", "extract/alembic"]) {
    const dir = path.join(dist, sub);
    try {
      for (const f of readdirSync(dir).sort()) if (/\.[jt]s$/.test(f)) h.update(`\0${sub}/${f}:${statSync(path.join(dir, f)).mtimeMs}`);
    } catch {
      /* not there: the version alone */
    }
  }
  return h.digest("hex");
}

/** The key of one file's facts. `sql` names the raw-SQL reader used ("pg", "tokenizer", "-"). */
export function factsKey(rel: string, text: string, sql: string): string {
  return createHash("sha1").update(rel).update("\0").update(sql).update("\0").update(text).digest("base64url");
}

/** What a run learnt from a file's content: its facts key and whether the prefilter keeps it. */
export interface FileStamp {
  key: string;
  worth: boolean;
}

interface Pack {
  format: number;
  tool: string;
  entries: Record<string, FileFacts>;
  /** rel → [mtimeMs, size, key, worth]. */
  files: Record<string, [number, number, string, boolean]>;
}

/**
 * A file modified this recently may change again within the file system's timestamp granularity
 * without its size or time changing (git's "racily clean" files): it is read again next time.
 */
const SETTLED_MS = 2000;

function isObject(v: unknown): v is object {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An entry that looks like FileFacts (a pack is data from disk). */
function usable(f: FileFacts | undefined): f is FileFacts {
  return !!f && typeof f === "object" && Array.isArray(f.classes) && Array.isArray(f.diagnostics);
}

/**
 * JSON with every non-ASCII character escaped (`\u00e9`; a surrogate pair as its two halves, which JSON.parse joins
 * again). A pack holding one `é` would otherwise be a two-byte string: on saleor's 17 MB pack, reading and parsing
 * took ~450 ms as UTF-8 and ~250 ms as ASCII.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Open the pack of the folder `base` (read once, here). */
export function openCache(dir: string, base: string, tool: string): FactsCache {
  const file = path.join(dir, `${createHash("sha1").update(base).digest("hex").slice(0, 16)}.json`);
  let old: Record<string, FileFacts> = {};
  let oldFiles: Pack["files"] = {};
  try {
    const buf = readFileSync(file);
    // Packs are written as ASCII: decoding is then a copy into a one-byte string, which JSON.parse also reads faster.
    const pack = JSON.parse(isAscii(buf) ? buf.toString("latin1") : buf.toString("utf8")) as Pack;
    if (pack && pack.format === FORMAT && pack.tool === tool && isObject(pack.entries) && isObject(pack.files)) {
      old = pack.entries;
      oldFiles = pack.files;
    }
  } catch {
    /* missing or corrupt: start empty */
  }
  const used: Record<string, FileFacts> = {};
  const files: Pack["files"] = {};
  let changed = false;
  const cache: FactsCache = {
    hits: 0,
    get(key) {
      const f = cache.peek(key);
      if (!f) return undefined;
      used[key] = f;
      cache.hits++;
      return f;
    },
    peek(key) {
      const f = Object.hasOwn(old, key) ? old[key] : undefined;
      return usable(f) ? f : undefined;
    },
    known(rel, mtimeMs, size) {
      const f = Object.hasOwn(oldFiles, rel) ? oldFiles[rel] : undefined;
      if (!Array.isArray(f) || f[0] !== mtimeMs || f[1] !== size || typeof f[2] !== "string") return undefined;
      files[rel] = f;
      return { key: f[2], worth: f[3] === true };
    },
    remember(rel, mtimeMs, size, stamp) {
      if (Date.now() - mtimeMs < SETTLED_MS) return;
      files[rel] = [mtimeMs, size, stamp.key, stamp.worth];
      changed = true;
    },
    has(key) {
      return Object.hasOwn(old, key);
    },
    keys() {
      return Object.keys(old).filter((k) => usable(old[k]));
    },
    set(key, facts) {
      used[key] = facts;
      changed = true;
    },
    save() {
      if (!changed && Object.keys(used).length === Object.keys(old).length && Object.keys(files).length === Object.keys(oldFiles).length) return;
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(tmp, asciiJson({ format: FORMAT, tool, entries: used, files } satisfies Pack));
        renameSync(tmp, file);
      } catch {
        try {
          unlinkSync(tmp);
        } catch {
          /* nothing written */
        }
      }
    },
  };
  return cache;
}
