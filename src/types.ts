/** Plain, JSON-able records shared by every stage. */
import type { Span } from "./python/ast.js";

export type { Span };

/** A place in a file: the file path is relative to the lint base directory, forward slashes. */
export interface Loc extends Span {
  file: string;
}

export type Severity = "error" | "warning" | "info";
export type SeverityOrOff = Severity | "off";

export function locOf(file: string, span: Span): Loc {
  return { file, line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn };
}

/** A whole-file location (line 1), for facts that belong to a file rather than a statement. */
export function fileLoc(file: string): Loc {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

/** Problems reading the project itself (unreadable file, syntax error, skipped huge file…). */
export type DiagnosticCode = "syntax-error" | "unreadable-file" | "skipped-file" | "encoding" | "unresolved" | "separate-databases" | "unused-suppression";

/** Codes users can configure; the linker's `unresolved` notes are reported by the unknown-ownership rule. */
export const DIAGNOSTIC_CODES: DiagnosticCode[] = ["syntax-error", "unreadable-file", "skipped-file", "encoding", "separate-databases", "unused-suppression"];

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  loc: Loc;
}

export interface Related {
  loc: Loc;
  message: string;
}

export interface Suggestion {
  message: string;
  snippet: string;
  /** Set only when `snippet` is an exact replacement of this region (SARIF emits it as a `fix`). */
  replaces?: Loc;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** `schema.name` when a schema is set, else the bare name; absent for findings about no one table. */
  table?: string;
  loc: Loc;
  related: Related[];
  help?: string;
  docsUrl?: string;
  suggestion?: Suggestion;
  /** Stable identity that survives line moves (set by lint(); see src/engine/baseline.ts). */
  fingerprint?: string;
}

/** A table identity: PostgreSQL folds nothing here because Django and SQLAlchemy both quote names. */
export interface TableKey {
  schema: string | null;
  name: string;
}

export function tableId(t: TableKey): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}

/**
 * The table PostgreSQL really addresses: the default schema is the same as no schema, and
 * identifiers longer than 63 bytes are cut to 63 (at a character boundary) without an error.
 */
export function normaliseTable(key: TableKey): TableKey {
  const schema = key.schema === "public" || key.schema === null ? null : pgIdentifier(key.schema);
  return { schema, name: pgIdentifier(key.name) };
}

const NAMEDATALEN = 64;

export function pgIdentifier(name: string): string {
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length < NAMEDATALEN) return name;
  let cut = NAMEDATALEN - 1;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--; // do not split a UTF-8 sequence
  return bytes.subarray(0, cut).toString("utf8");
}

