// Bundles the compiled CLI (dist/src, dist/rules) into dist/bundle/tablewarden.cjs, the file
// `bin/tablewarden.js` runs (with a V8 code cache, see there).
//
// Why: Node 20 has no compile cache, and resolving, reading and compiling ~100 ES modules plus their
// dependencies was most of a small project's run (issue 10: "cold run on the bundled example under
// 100 ms"). One CommonJS file also skips the ES-module loader and the ES facades of Node's built-in
// modules (importing `node:fs` as an ES module loads its streams). Rules are listed here at build
// time, so adding a rule is still adding a file to rules/.
//
// Runs after `tsc` (npm run build): it bundles the same JavaScript the tests run.
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const outdir = path.join(dist, "bundle");

const require = createRequire(import.meta.url);
const yargsDir = path.dirname(require.resolve("yargs/package.json"));
const yargsRequire = createRequire(path.join(yargsDir, "index.mjs"));

const rules = readdirSync(path.join(dist, "rules"))
  .filter((f) => f.endsWith(".js") && !f.startsWith("index."))
  .sort();

/**
 * Virtual modules: src/bundled.js, with every rule module and yargs' parts compiled in (the modules' own copy
 * holds nothing), and the CLI entry.
 */
const virtual = {
  "tw:bundled": [
    ...rules.map((f, i) => `import rule${i} from "./rules/${f}";`),
    `export const bundledRules = [${rules.map((f, i) => `[${JSON.stringify(f)}, rule${i}]`).join(", ")}];`,
    // yargs' parser without its help renderer (src/util/yargs.ts): its internals, which its `exports` map does
    // not list, resolved from its own folder (the plugin below), so that no yargs module is loaded at run time.
    `import { YargsFactory } from "yargs-internal:build/lib/yargs-factory.js";`,
    `import { getProcessArgvBin } from "yargs-internal:build/lib/utils/process-argv.js";`,
    `import * as Parser from "yargs-dep:yargs-parser";`,
    `import * as y18n from "yargs-dep:y18n";`,
    `import * as escalade from "yargs-dep:escalade/sync";`,
    `import * as getCallerFile from "yargs-dep:get-caller-file";`,
    `export const bundledYargs = { YargsFactory, getProcessArgvBin, Parser, y18n, escalade, getCallerFile };`,
  ].join("\n"),
  "tw:cli": `import "./src/cli.js";\n`,
};
const bundledModule = path.join(dist, "src", "bundled.js");

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  // Native and WebAssembly packages, and the readers only some projects need (deploy files, TOML), load from
  // node_modules when used: half the bundle's size otherwise, read and compiled by every run.
  external: ["tree-sitter", "tree-sitter-python", "tree-sitter-bash", "libpg-query", "yaml", "dockerfile-ast", "smol-toml"],
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  logLevel: "warning",
};

// The compiled modules' build stamps (src/project/cache.ts): the bundle's cache fingerprints without listing
// dist/src on every run, and the same as the modules' own, so that both share a facts cache.
const { buildStamps } = await import(pathToFileURL(path.join(dist, "src", "project", "cache.js")).href);
const stamps = buildStamps(path.join(dist, "src"));

rmSync(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [{ in: "tw:cli", out: "tablewarden" }],
  outdir,
  outExtension: { ".js": ".cjs" },
  format: "cjs",
  // The modules' `import.meta.url` is the bundle's own URL (what packageRoot() and the cache's build stamp read).
  define: { "import.meta.url": "__twImportMetaUrl", __TW_BUILD_STAMPS__: JSON.stringify(stamps) },
  banner: { js: `var __twImportMetaUrl = require("node:url").pathToFileURL(__filename).href;` },
  // import() of a package becomes require(): no ES-module loader at run time (libpg-query has a CommonJS entry).
  supported: { "dynamic-import": false },
  plugins: [
    {
      name: "tablewarden-virtual",
      setup(b) {
        b.onResolve({ filter: /^tw:/ }, (args) => ({ path: args.path, namespace: "tw" }));
        b.onResolve({ filter: /bundled\.js$/ }, (args) => (path.resolve(args.resolveDir, args.path) === bundledModule ? { path: "tw:bundled", namespace: "tw" } : undefined));
        b.onResolve({ filter: /^yargs-internal:/ }, (args) => ({ path: path.join(yargsDir, args.path.slice("yargs-internal:".length)) }));
        b.onResolve({ filter: /^yargs-dep:/ }, (args) => ({ path: yargsRequire.resolve(args.path.slice("yargs-dep:".length)) }));
        b.onLoad({ filter: /.*/, namespace: "tw" }, (args) => ({ contents: virtual[args.path], resolveDir: dist, loader: "js" }));
      },
    },
  ],
});

// The parse worker (src/project/parse-worker.js), when there is one: CommonJS too, next to the bundle, where the
// code that starts it looks for it (src/project/parallel.ts). A CommonJS worker boots 15-20 ms sooner than an ES
// module one, which loads Node's ES-module loader first.
const worker = path.join(dist, "src", "project", "parse-worker.js");
if (existsSync(worker)) {
  await build({
    ...common,
    entryPoints: [{ in: worker, out: "parse-worker" }],
    outdir,
    outExtension: { ".js": ".cjs" },
    format: "cjs",
    define: { "import.meta.url": "__twImportMetaUrl" },
    banner: { js: `var __twImportMetaUrl = require("node:url").pathToFileURL(__filename).href;` },
    supported: { "dynamic-import": false },
  });
}

// Every bundle must be pure ASCII. One other character anywhere (an en dash in a regular expression did it) makes
// V8 hold the whole source as a two-byte string: reading, decoding and compiling it are slower on every run (the
// small case's CLI 1-2 % slower). esbuild escapes such characters in strings, not in regular expression literals.
for (const f of readdirSync(outdir).filter((n) => n.endsWith(".cjs"))) {
  const text = readFileSync(path.join(outdir, f), "utf8");
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) {
    const line = text.slice(0, at).split("\n").length;
    throw new Error(`dist/bundle/${f}:${line}: non-ASCII character U+${text.codePointAt(at).toString(16).toUpperCase().padStart(4, "0")} near ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 20))}: write it as a \\u escape in the source`);
  }
}
