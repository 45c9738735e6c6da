/**
 * What the CLI bundle compiles in. scripts/bundle.mjs replaces this module with a generated one that imports every
 * rule module and yargs' parts, so that the bundle reads no folder and loads no yargs module at run time. Run from
 * the compiled modules, it holds nothing: the rules are read from rules/ (src/engine/rules.ts) and yargs is
 * imported (src/util/yargs.ts). Constants, not registries: nothing here changes while a process runs.
 */
import type { Rule } from "./rule.js";
import type { YargsParts } from "./util/yargs.js";

/** The rule modules, by file name (`<rule id>.js`), in file-name order. */
export const bundledRules: ReadonlyArray<readonly [file: string, rule: Rule]> | null = null;

/** The modules yargs' own ES-module shim is built from, minus its help renderer. */
export const bundledYargs: YargsParts | null = null;
