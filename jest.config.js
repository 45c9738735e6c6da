// Tests are written in TypeScript under test/ and compiled with the rest (npm test runs tsc first).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// The suite's own facts cache (inherited by jest's workers and the CLI runs they spawn), so tests never
// read or fill a shared one.
process.env.TABLEWARDEN_CACHE_DIR = mkdtempSync(path.join(tmpdir(), "tablewarden-test-cache-"));

export default {
  testEnvironment: "node",
  roots: ["<rootDir>/dist/test"],
  testMatch: ["**/*.test.js"],
  transform: {},
  testTimeout: 60000,
};
