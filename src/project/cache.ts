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
 *
 * A pack is three lines of JSON, each read and parsed only when a run needs it:
 * 1. the header: file stamps (size and time → facts key), where each entry is, the byte lengths of the other
 *    two lines, and the record of the last linking (its input signature, src/lint.ts);
 * 2. the entries: facts by key, one JSON object. Each entry is parsed when it is asked for, and an unchanged
 *    one is copied as it is into the next pack (none is read when the last linking can be reused);
 * 3. the last linking's result (parsed only when it is reused).
 */
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, renameSync, statSync, unlinkSync, writeSync, writevSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import type { FileFacts } from "../extract/facts.js";
import { packageRoot } from "../data/catalog.js";

/**
 * Bump when the pack layout changes. 2: the pack is pure ASCII (see asciiJson). 3: three lines (header, entries,
 * linking). 4: the header locates each entry.
 */
const FORMAT = 4;

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
  /** What the last run that linked recorded about its inputs (null: none, or another build of the tool). */
  linkRecord(): LinkRecord | null;
  /** The last linking's result, if it was stored under `signature`. */
  linked(signature: string): unknown;
  /** Keep this run's linking for the next run (serialised now, written by `save`). */
  setLinked(record: LinkRecord, result: unknown): void;
  /** Write the pack if this run changed it (entries not used by this run are dropped). */
  save(): void;
  hits: number;
}

/** What decides whether a linking can be reused (src/lint.ts computes the signature). */
export interface LinkRecord {
  /** The build of the whole tool (`fingerprints`): linking code changes more often than the version. */
  build: string;
  signature: string;
  /** Files the prefilter passed over that the linker loaded: their content is part of the signature. */
  loaded: Record<string, string>;
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

/** Which code a cache entry was made by (see `fingerprints`). */
export interface Fingerprints {
  /** What cached facts depend on besides the file: the pack format, the version, the parser and extractors. */
  tool: string;
  /** The build of the whole tool, for what depends on more than the extractors (a linking result). */
  build: string;
}

/** The build stamps of the compiled modules the CLI bundle was made from, put in by scripts/bundle.mjs. */
declare const __TW_BUILD_STAMPS__: BuildStamps | undefined;

/** The compiled modules' paths and modification times, those of the parser and extractors apart. */
export interface BuildStamps {
  tool: string;
  build: string;
}

/**
 * The tool's version and the build of the code that runs, so that a rebuild of a development checkout
 * invalidates too: the modification times of the compiled modules under dist/src, those of the parser and
 * extractors alone for `tool`, so that recompiling a rule keeps the facts. The CLI bundle carries the stamps of
 * the modules it was made from (scripts/bundle.mjs), so it reads no folder, and shares its cache with them.
 */
export function fingerprints(version: string): Fingerprints {
  let stamps: BuildStamps;
  try {
    stamps = typeof __TW_BUILD_STAMPS__ === "object" && __TW_BUILD_STAMPS__ !== null ? __TW_BUILD_STAMPS__ : buildStamps(path.join(packageRoot(), "dist", "src"));
  } catch {
    stamps = { tool: "", build: "" }; // not there: the version alone
  }
  return {
    tool: createHash("sha1").update(`${FORMAT}\0${version}`).update(stamps.tool).digest("hex"),
    build: createHash("sha1").update(version).update(stamps.build).digest("hex"),
  };
}

/** The build stamps of the compiled modules under `dist` (dist/src); throws when it cannot be listed. */
export function buildStamps(dist: string): BuildStamps {
  let tool = "";
  let build = "";
  for (const f of readdirSync(dist, { recursive: true, encoding: "utf8" }).sort()) {
    if (!f.endsWith(".js")) continue;
    const rel = f.split(path.sep).join("/");
    const stamp = `\0${rel}:${statSync(path.join(dist, f)).mtimeMs}`;
    build += stamp;
    if (rel.startsWith("python/") || rel.startsWith("extract/")) tool += stamp;
  }
  return { tool, build };
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

/** The first line of a pack. */
interface Header {
  format: number;
  tool: string;
  /** rel → [mtimeMs, size, key, worth]. */
  files: Record<string, [number, number, string, boolean]>;
  /** Where each entry's facts are in the entries line: key → [byte offset, byte length]. */
  entries: Record<string, [number, number]>;
  /** Byte lengths of the entries and linking lines. */
  lengths: [number, number];
  link: LinkRecord | null;
}

/** What identifies one written pack: a pack replaced by another run has another inode, size or time. */
function fileId(st: { ino: number; size: number; mtimeMs: number }): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

/** The first line of an open pack (read in pieces up to its newline), or null. */
function readHeader(fd: number, size: number): Buffer | null {
  const pieces: Buffer[] = [];
  let length = 0;
  for (let offset = 0; offset < size; ) {
    const piece = Buffer.allocUnsafe(Math.min(1 << 20, size - offset));
    const n = readSync(fd, piece, 0, piece.length, offset);
    if (n <= 0) return null;
    const nl = piece.subarray(0, n).indexOf(10);
    if (nl >= 0) {
      pieces.push(piece.subarray(0, nl));
      return Buffer.concat(pieces, length + nl);
    }
    pieces.push(piece.subarray(0, n));
    length += n;
    offset += n;
  }
  return null;
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

/** Write `pieces` one after the other into a new file `file`. */
function writeAll(file: string, pieces: Buffer[]): void {
  const fd = openSync(file, "w");
  try {
    // writev takes at most IOV_MAX (1024 on Linux) pieces at a time, and may write fewer bytes than asked.
    for (let i = 0; i < pieces.length; ) {
      const batch = pieces.slice(i, i + 1024);
      let n = writevSync(fd, batch);
      i += batch.length;
      const size = batch.reduce((sum, b) => sum + b.length, 0);
      if (n < size) {
        // A short write: the rest of this batch, one piece at a time.
        for (const b of batch) {
          if (n >= b.length) {
            n -= b.length;
            continue;
          }
          for (let off = n; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
          n = 0;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Packs are written as ASCII: decoding is then a copy into a one-byte string, which JSON.parse also reads faster. */
function decodeJson(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/** Open the pack of the folder `base` (read once, here; its lines are decoded and parsed when first needed). */
export function openCache(dir: string, base: string, tool: string): FactsCache {
  const file = path.join(dir, `${createHash("sha1").update(base).digest("hex").slice(0, 16)}.json`);
  let header: Header = { format: FORMAT, tool, files: {}, entries: {}, lengths: [0, 0], link: null };
  /**
   * Only the header is read here. The entries and linking lines are read when first needed, from the same
   * file (same inode, size and time), or not at all: a pack replaced meanwhile by another run is not mixed in.
   */
  let lines: { id: string; entries: [number, number]; link: [number, number] } | null = null;
  const part = (which: "entries" | "link"): Buffer | null => {
    if (!lines) return null;
    const [offset, length] = lines[which];
    let fd: number | undefined;
    try {
      fd = openSync(file, "r");
      if (fileId(fstatSync(fd)) !== lines.id) return null;
      const buf = Buffer.allocUnsafe(length);
      return readSync(fd, buf, 0, length, offset) === length ? buf : null;
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const st = fstatSync(fd);
    const head = readHeader(fd, st.size);
    const h = head ? (JSON.parse(decodeJson(head)) as Header) : null;
    if (head && isObject(h) && h.format === FORMAT && h.tool === tool && isObject(h.files) && isObject(h.entries) && Array.isArray(h.lengths)) {
      const [entries, link] = h.lengths;
      if (typeof entries === "number" && typeof link === "number" && head.length + 1 + entries + 1 + link === st.size) {
        header = { ...h, link: isObject(h.link) ? h.link : null };
        lines = { id: fileId(st), entries: [head.length + 1, entries], link: [head.length + 1 + entries + 1, link] };
      }
    }
  } catch {
    /* missing or corrupt: start empty */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const index = header.entries;
  let entriesBytes: Buffer | null | undefined; // undefined: not read yet
  /** An entry of the pack as written: its bytes (null when the pack was replaced meanwhile or is damaged). */
  const rawEntry = (key: string): Buffer | null => {
    const at = Object.hasOwn(index, key) ? index[key] : undefined;
    if (entriesBytes === undefined) entriesBytes = part("entries");
    if (!entriesBytes || !Array.isArray(at) || typeof at[0] !== "number" || typeof at[1] !== "number" || at[0] + at[1] > entriesBytes.length) return null;
    return entriesBytes.subarray(at[0], at[0] + at[1]);
  };
  const parsedEntries = new Map<string, FileFacts | null>();
  const oldEntry = (key: string): FileFacts | undefined => {
    let f = parsedEntries.get(key);
    if (f === undefined) {
      const bytes = rawEntry(key);
      try {
        const v = bytes ? (JSON.parse(decodeJson(bytes)) as FileFacts) : undefined;
        f = usable(v) ? v : null;
      } catch {
        f = null;
      }
      parsedEntries.set(key, f);
    }
    return f ?? undefined;
  };
  /** Keys whose facts this run computed (not copied from the pack). */
  const fresh = new Set<string>();
  const used: Record<string, FileFacts> = {};
  const files: Header["files"] = {};
  let changed = false;
  /** This run's linking, serialised when it is set (the caller goes on to change what it holds). */
  let linking: { record: LinkRecord; text: string } | null = null;
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
      return Object.hasOwn(index, key) ? oldEntry(key) : undefined;
    },
    known(rel, mtimeMs, size) {
      const f = Object.hasOwn(header.files, rel) ? header.files[rel] : undefined;
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
      return Object.hasOwn(index, key);
    },
    keys() {
      return Object.keys(index);
    },
    set(key, facts) {
      used[key] = facts;
      fresh.add(key);
      changed = true;
    },
    linkRecord() {
      const r = header.link;
      return r && typeof r.build === "string" && typeof r.signature === "string" && isObject(r.loaded) ? r : null;
    },
    linked(signature) {
      if (cache.linkRecord()?.signature !== signature) return null;
      try {
        const bytes = part("link");
        const stored = bytes ? (JSON.parse(decodeJson(bytes)) as { signature?: unknown; result?: unknown } | null) : null;
        return stored && stored.signature === signature ? stored.result : null;
      } catch {
        return null;
      }
    },
    setLinked(record, result) {
      try {
        linking = { record, text: asciiJson({ signature: record.signature, result }) };
        changed = true;
      } catch {
        /* not serialisable: not kept */
      }
    },
    save() {
      // A run that took facts from the pack keeps the entries it used; one that took none (the linking was reused,
      // or every file changed) keeps the pack's entries and adds its own.
      const oldKeys = Object.keys(index);
      const keys = cache.hits > 0 ? Object.keys(used) : [...new Set([...oldKeys, ...Object.keys(used)])];
      if (!changed && keys.length === oldKeys.length && Object.keys(files).length === Object.keys(header.files).length) return;
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      try {
        // Unchanged entries are copied as they were written; only new ones are serialised.
        const pieces: Buffer[] = [Buffer.from("{")];
        const entries: Header["entries"] = {};
        let at = 1;
        for (const key of keys) {
          const raw = fresh.has(key) ? null : rawEntry(key);
          const facts = raw ? null : (used[key] ?? oldEntry(key));
          if (!raw && !facts) continue;
          const value = raw ?? Buffer.from(asciiJson(facts), "latin1");
          const name = Buffer.from(`${at === 1 ? "" : ","}${JSON.stringify(key)}:`, "latin1");
          entries[key] = [at + name.length, value.length];
          pieces.push(name, value);
          at += name.length + value.length;
        }
        pieces.push(Buffer.from("}"));
        const link = linking ? Buffer.from(linking.text, "latin1") : (part("link") ?? Buffer.from("null"));
        const head = asciiJson({ format: FORMAT, tool, files, entries, lengths: [at + 1, link.length], link: linking ? linking.record : header.link } satisfies Header);
        mkdirSync(dir, { recursive: true });
        // Written piece by piece (writev): the old entries are slices of the pack as read, and joining them into
        // one buffer first cost as much as the write (~150 ms of a 17 MB pack, most of it page faults).
        writeAll(tmp, [Buffer.from(`${head}\n`, "latin1"), ...pieces, Buffer.from("\n"), link]);
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
