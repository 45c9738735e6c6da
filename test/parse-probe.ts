/**
 * Runs PythonParser.parse in a fresh process for test/python-parse.test.ts (jest cannot load
 * tree-sitter's native binding in two test files of one worker): reads `{"text", "keep"?}` on stdin,
 * where `keep` lists the function names whose bodies are converted (default: all), and `unread` the keyword
 * arguments whose values are left unconverted (default: none), and prints the Module.
 */
import { readFileSync } from "node:fs";
import { PythonParser } from "../src/python/parse.js";

const input = JSON.parse(readFileSync(0, "utf8")) as { text: string; keep?: string[]; unread?: string[] };
const keep = input.keep;
const m = new PythonParser().parse(input.text, keep ? (name) => keep.includes(name) : undefined, input.unread ? new Set(input.unread) : undefined);
process.stdout.write(JSON.stringify(m));
