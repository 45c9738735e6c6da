/**
 * Reading source files safely: binary files, odd encodings, huge files and unreadable paths
 * become diagnostics naming the file; nothing here throws.
 */
import { readFileSync, statSync } from "node:fs";
import type { Diagnostic } from "../types.js";
import { fileLoc } from "../types.js";

export interface ReadResult {
  text: string | null;
  diagnostics: Diagnostic[];
}

/** Default cap; larger files are skipped with an info diagnostic (generated data, dumps). */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

/** `size`: the file's size when the caller has already asked the file system. */
export function readSource(abs: string, rel: string, maxBytes: number, size?: number): ReadResult {
  if (size === undefined) {
    try {
      size = statSync(abs).size;
    } catch (e) {
      return fail(rel, "unreadable-file", "warning", `cannot read file: ${errorText(e)}`);
    }
  }
  if (size > maxBytes) {
    return fail(
      rel,
      "skipped-file",
      "info",
      `skipped: ${(size / 1024 / 1024).toFixed(1)} MiB is over the ${(maxBytes / 1024 / 1024).toFixed(1)} MiB limit ` +
        `(raise it with --max-file-size if this file declares models or migrations)`,
    );
  }
  let buf: Buffer;
  try {
    buf = readFileSync(abs);
  } catch (e) {
    return fail(rel, "unreadable-file", "warning", `cannot read file: ${errorText(e)}`);
  }
  return decode(buf, rel);
}

export function decode(buf: Buffer, rel: string): ReadResult {
  if (buf.includes(0)) return fail(rel, "skipped-file", "info", "skipped: binary file (contains NUL bytes)");
  let start = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
  const body = buf.subarray(start);
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(body), diagnostics: [] };
  } catch {
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
