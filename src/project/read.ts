/**
 * Reading source files safely: binary files, odd encodings, huge files and unreadable paths
 * become diagnostics naming the file; nothing here throws.
 *
 * A read is open + read + close into a buffer the reader keeps between files (a lint run reads thousands of
 * small files: no stat of its own, no buffer allocated per file). Only a file that fills the buffer (64 KiB)
 * is fstat-ed, and its size checked against the limit before the rest is read.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import type { Diagnostic } from "../types.js";
import { fileLoc } from "../types.js";

export interface ReadResult {
  text: string | null;
  diagnostics: Diagnostic[];
}

/** Default cap; larger files are skipped with an info diagnostic (generated data, dumps). */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Reads files one after another through one reusable buffer (one per run or thread: not shared). */
export interface SourceReader {
  read(abs: string, rel: string): ReadResult;
}

/** Buffers larger than this are not kept for the next file. */
const KEEP_BYTES = 1024 * 1024;

export function createReader(maxBytes: number): SourceReader {
  let buf = Buffer.allocUnsafe(64 * 1024);
  return {
    read(abs, rel) {
      let fd: number;
      try {
        fd = openSync(abs, "r");
      } catch (e) {
        return fail(rel, "unreadable-file", "warning", `cannot read file: ${errorText(e)}`);
      }
      try {
        // Most files fit the buffer: read to the end of the file, no fstat. A file that fills the buffer is
        // measured against the limit, then read whole (up to its size then: a file growing meanwhile is cut there).
        let n = fill(fd, buf, 0);
        let into = buf;
        if (n === buf.length) {
          const size = fstatSync(fd).size;
          if (size > maxBytes) return tooLarge(rel, size, maxBytes);
          if (size > n) {
            into = Buffer.allocUnsafe(size);
            buf.copy(into, 0, 0, n);
            n = fill(fd, into, n);
            if (size <= KEEP_BYTES) buf = into;
          }
        }
        if (n > maxBytes) return tooLarge(rel, n, maxBytes);
        return decode(into.subarray(0, n), rel);
      } catch (e) {
        return fail(rel, "unreadable-file", "warning", `cannot read file: ${errorText(e)}`);
      } finally {
        try {
          closeSync(fd);
        } catch {
          /* nothing to do */
        }
      }
    },
  };
}

/** Read from the file into `into` from byte `from` until the file ends or `into` is full; the bytes in `into` then. */
function fill(fd: number, into: Buffer, from: number): number {
  let n = from;
  while (n < into.length) {
    const got = readSync(fd, into, n, into.length - n, null);
    if (got === 0) break;
    n += got;
  }
  return n;
}

/** Read one file (a reader of its own: for the odd file outside a run's main loop). */
export function readSource(abs: string, rel: string, maxBytes: number): ReadResult {
  return createReader(maxBytes).read(abs, rel);
}

function tooLarge(rel: string, size: number, maxBytes: number): ReadResult {
  return fail(
    rel,
    "skipped-file",
    "info",
    `skipped: ${(size / 1024 / 1024).toFixed(1)} MiB is over the ${(maxBytes / 1024 / 1024).toFixed(1)} MiB limit ` +
      `(raise it with --max-file-size if this file declares models or migrations)`,
  );
}

/** `buf` may be a view of a reused buffer: the text returned is a copy. */
export function decode(buf: Buffer, rel: string): ReadResult {
  if (buf.includes(0)) return fail(rel, "skipped-file", "info", "skipped: binary file (contains NUL bytes)");
  let start = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
  const body = buf.subarray(start);
  if (isUtf8(body)) {
    // What a fatal TextDecoder gives, without building one per file: it too drops one leading BOM.
    const text = body.toString("utf8");
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, diagnostics: [] };
  }
  // PEP 263: a coding cookie on line 1 or 2 names the encoding.
  const head = body.subarray(0, 400).toString("latin1").split("\n").slice(0, 2).join("\n");
  const cookie = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/m.exec(head);
  if (cookie) {
    try {
      return { text: new TextDecoder(whatwgLabel(cookie[1]!)).decode(body), diagnostics: [] };
    } catch {
      /* unknown label: fall through */
    }
  }
  return {
    text: new TextDecoder("utf-8").decode(body),
    diagnostics: [
      {
        code: "encoding",
        severity: "warning",
        message: "file is not valid UTF-8 and declares no encoding; undecodable bytes were replaced",
        loc: fileLoc(rel),
      },
    ],
  };
}

/** Python codec names → WHATWG encoding labels (`latin-1` → `latin1`, `utf-8-sig` → `utf-8`). */
function whatwgLabel(codec: string): string {
  const c = codec.toLowerCase().replace(/_/g, "-");
  const aliases: Record<string, string> = { "latin-1": "latin1", "iso-latin-1": "latin1", l1: "latin1", "utf-8-sig": "utf-8", utf8: "utf-8", "cp-1252": "cp1252" };
  return aliases[c] ?? c;
}

function fail(rel: string, code: Diagnostic["code"], severity: Diagnostic["severity"], message: string): ReadResult {
  return { text: null, diagnostics: [{ code, severity, message, loc: fileLoc(rel) }] };
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}` : String(e);
}
