#!/usr/bin/env node
// Entry point for `npx tablewarden`: runs the compiled CLI (built by `npm install` through `prepare`).
import { existsSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/src/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write("tablewarden: the CLI is not built yet; run `npm install` (or `npm run build`) in the tablewarden folder first.\n");
  process.exit(2);
}
// Node >= 22.1 keeps compiled code between runs (most of start-up is compiling modules); Node 20 has no such cache.
try {
  module.enableCompileCache?.();
} catch {
  /* no cache: just slower */
}
await import(cli.href);
