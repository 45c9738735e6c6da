#!/usr/bin/env node
// Entry point for `npx tablewarden` (CommonJS: bin/package.json). Runs the CLI bundle, dist/bundle/tablewarden.cjs
// (built by `npm install` through `prepare`, or `npm run build`), or the compiled modules it is made from when
// the bundle is missing.
//
// Node 20 has no compile cache (module.enableCompileCache() is Node >= 22.1), so this keeps one for the bundle:
// V8's code cache of the bundle's compiled functions, written after the first run (in dist/bundle/, or the user's
// cache folder when the package folder is read-only) and handed to V8 by later runs, which then skip compiling.
// A cache V8 rejects (another Node, other V8 flags) is rewritten; a cache that cannot be read or written is no cache.
// V8 checks a cache's header but not its payload (a damaged one can crash the process), so the file starts with
// the payload's SHA-1, checked before V8 sees it.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

// V8's flags for the CLI's own process (src/tune.ts says which and why; kept in step by hand: CLI_V8_FLAGS and
// tuneV8), set before the bundle is compiled: V8's code cache records the flags it was made under, and is
// rejected under others. Only on the V8 they were measured with; flags whoever started Node chose are left alone.
if (process.versions.v8.startsWith("11.3.")) {
  const chosen = [...process.execArgv, process.env.NODE_OPTIONS || ""].join(" ");
  for (const [name, flag] of [["turbo-inlining", "--no-turbo-inlining"], ["interrupt-budget", "--interrupt-budget=500000"]]) {
    if (!chosen.includes(name)) require("node:v8").setFlagsFromString(flag);
  }
}

const bundle = path.join(__dirname, "..", "dist", "bundle", "tablewarden.cjs");
let source = null;
try {
  source = fs.readFileSync(bundle, "utf8");
} catch {
  /* not built as a bundle: the modules below */
}

if (source === null) {
  const cli = path.join(__dirname, "..", "dist", "src", "cli.js");
  if (!fs.existsSync(cli)) {
    process.stderr.write("tablewarden: the CLI is not built yet; run `npm install` (or `npm run build`) in the tablewarden folder first.\n");
    process.exit(2);
  }
  import(require("node:url").pathToFileURL(cli).href);
} else {
  const stat = fs.statSync(bundle);
  // V8 checks the source's length and its own version and flags, not the text: the build's time stamp goes in the name.
  const name = `tablewarden-${process.version}-${process.arch}-${stat.size}-${Math.trunc(stat.mtimeMs)}.v8cache`;
  const dirs = [path.join(path.dirname(bundle), ".code-cache"), userCacheDir()];
  let cachedData;
  for (const dir of dirs) {
    try {
      cachedData = verified(fs.readFileSync(path.join(dir, name)));
      break;
    } catch {
      /* not there */
    }
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // After the run, so that the functions it compiled are in the cache too.
    process.once("exit", () => writeCache(script, dirs, name));
  }
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require("node:module").createRequire(bundle), mod, bundle, path.dirname(bundle));
}

function writeCache(script, dirs, name) {
  let data;
  try {
    data = script.createCachedData();
  } catch {
    return;
  }
  for (const dir of dirs) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const old of fs.readdirSync(dir)) if (old.startsWith("tablewarden-") && old.endsWith(".v8cache") && old !== name) fs.rmSync(path.join(dir, old), { force: true });
      const tmp = path.join(dir, `${name}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, Buffer.concat([sha1(data), data]));
      fs.renameSync(tmp, path.join(dir, name)); // whole or absent, even with runs in parallel
      return;
    } catch {
      /* read-only: the next folder */
    }
  }
}

function sha1(data) {
  return require("node:crypto").createHash("sha1").update(data).digest();
}

/** The payload of a cache file whose checksum matches, else undefined (no cache: compile from source). */
function verified(file) {
  const data = file.subarray(20);
  return data.length > 0 && sha1(data).equals(file.subarray(0, 20)) ? data : undefined;
}

// The OS cache folder as src/project/cache.ts defaultCacheDir() names it (kept in step by hand: this runs
// before any of the CLI's code is loaded).
function userCacheDir() {
  const home = require("node:os").homedir();
  if (process.platform === "win32" && process.env.LOCALAPPDATA) return path.join(process.env.LOCALAPPDATA, "tablewarden", "Cache");
  if (process.platform === "darwin") return path.join(home, "Library", "Caches", "tablewarden");
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, ".cache"), "tablewarden");
}
