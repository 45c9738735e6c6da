/**
 * yargs, without paying for its help renderer on every run. Importing `yargs` loads cliui and
 * string-width (Unicode width tables) up front, about half of yargs' start-up, though only help text
 * uses them. Unless help is asked for, this builds yargs from its own factory with the platform shim
 * of `yargs/lib/platform-shims/esm.mjs`, with a plain-text stand-in for those two: yargs still renders
 * (and caches) a subcommand's help after running it, but nothing shows that text unless asked for
 * help, and then the real renderer is loaded. Any surprise in the package layout falls back to the
 * plain import. Same parser, same messages, same behaviour.
 */
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect } from "node:util";
import type yargsType from "yargs";
import { bundledYargs } from "../bundled.js";

type Yargs = typeof yargsType;

export async function loadYargs(argv: string[]): Promise<Yargs> {
  const wantsHelp = argv.some((a) => a === "--help" || a === "-h" || a === "help");
  if (!wantsHelp) {
    try {
      return await withoutHelpRenderer();
    } catch {
      /* another yargs layout: the plain import below */
    }
  }
  return (await import("yargs")).default;
}

/**
 * The modules yargs' own ES-module shim is built from, minus cliui and string-width. The CLI bundle compiles them in
 * (src/bundled.ts): no module of yargs is then loaded at run time.
 */
export interface YargsParts {
  YargsFactory: unknown;
  getProcessArgvBin: unknown;
  Parser: { default: unknown };
  y18n: { default: unknown };
  escalade: { default: unknown };
  getCallerFile: { default: unknown };
}

/** yargs' folder; its internals are imported by path (its `exports` map does not list them). */
async function importParts(dir: string): Promise<YargsParts> {
  const local = (rel: string) => import(pathToFileURL(path.join(dir, rel)).href);
  // Resolved from yargs' own folder, as its shim does.
  const dep = (name: string) => import(pathToFileURL(createRequire(path.join(dir, "index.mjs")).resolve(name)).href);
  const [{ YargsFactory }, { getProcessArgvBin }, Parser, y18n, escalade, getCallerFile] = await Promise.all([
    local("build/lib/yargs-factory.js"),
    local("build/lib/utils/process-argv.js"),
    dep("yargs-parser"),
    dep("y18n"),
    dep("escalade/sync"),
    dep("get-caller-file"),
  ]);
  return { YargsFactory, getProcessArgvBin, Parser, y18n, escalade, getCallerFile };
}

async function withoutHelpRenderer(): Promise<Yargs> {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve("yargs/package.json"));
  const { YargsFactory, getProcessArgvBin, Parser, y18n, escalade, getCallerFile } = (bundledYargs ?? (await importParts(dir))) as {
    YargsFactory: (shim: unknown) => unknown;
    getProcessArgvBin: unknown;
    Parser: { default: unknown };
    y18n: { default: (opts: unknown) => unknown };
    escalade: { default: unknown };
    getCallerFile: { default: (n: number) => string };
  };
  if (typeof YargsFactory !== "function" || typeof getProcessArgvBin !== "function") throw new Error("unexpected yargs layout");
  const shimFile = path.join(dir, "lib", "platform-shims", "esm.mjs");
  const shim = {
    assert: { notStrictEqual, strictEqual },
    cliui: plainUi,
    findUp: escalade.default,
    getEnv: (key: string) => process.env[key],
    inspect,
    getProcessArgvBin,
    mainFilename: shimFile.substring(0, shimFile.lastIndexOf("node_modules")) || process.cwd(),
    Parser: Parser.default,
    path: { basename: path.basename, dirname: path.dirname, extname: path.extname, relative: path.relative, resolve: path.resolve, join: path.join },
    process: {
      argv: () => process.argv,
      cwd: process.cwd,
      emitWarning: (warning: string, type: string) => process.emitWarning(warning, type),
      execPath: () => process.execPath,
      exit: (code: number) => process.exit(code),
      nextTick: process.nextTick,
      stdColumns: typeof process.stdout.columns !== "undefined" ? process.stdout.columns : null,
    },
    readFileSync,
    readdirSync,
    require: createRequire(pathToFileURL(shimFile).href),
    getCallerFile: () => {
      const callerFile = getCallerFile.default(3) as string;
      return callerFile.match(/^file:\/\//) ? fileURLToPath(callerFile) : callerFile;
    },
    stringWidth: (text: string) => text.length,
    y18n: y18n.default({ directory: path.join(dir, "locales"), updateFiles: false }),
  };
  return YargsFactory(shim) as Yargs;
}

/** The two checks yargs asks its shim for: node:assert's own would load its diff printer and colours (~10 ms). */
function strictEqual(actual: unknown, expected: unknown, message?: string): void {
  if (!Object.is(actual, expected)) throw new Error(message ?? `yargs: expected ${String(expected)}, got ${String(actual)}`);
}

function notStrictEqual(actual: unknown, expected: unknown, message?: string): void {
  if (Object.is(actual, expected)) throw new Error(message ?? `yargs: did not expect ${String(actual)}`);
}

type Column = string | { text: string };

/** cliui's interface (div, span, toString) as unformatted text. */
function plainUi(): { div: (...cols: Column[]) => void; span: (...cols: Column[]) => void; toString: () => string } {
  const rows: string[] = [];
  const add = (...cols: Column[]) => {
    rows.push(cols.map((c) => (typeof c === "string" ? c : c.text)).join(" "));
  };
  return { div: add, span: add, toString: () => rows.join("\n") };
}
