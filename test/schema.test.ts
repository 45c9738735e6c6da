/**
 * schema/tablewarden.schema.json (published in the package) and the configuration validator
 * (src/config/index.ts) must agree on every key: a key added to one and not the other fails here,
 * and so does a key without sample values below.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { ROOT, tempDir } from "./helpers.js";
import { KEYS, loadConfig, ConfigError } from "../src/config/index.js";
import { loadRules } from "../src/engine/rules.js";

const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, "schema", "tablewarden.schema.json"), "utf8")) as { properties: Record<string, unknown> };

/** For every key: values both must accept, and values both must reject. */
const SAMPLES: Record<(typeof KEYS)[number], { good: unknown[]; bad: unknown[] }> = {
  rules: { good: [{ "double-ownership": "off" }, { "double-ownership": ["error", { allowTables: ["x"] }] }, {}], bad: [{ "double-ownership": "fatal" }, ["double-ownership"], { "double-ownership": [] }] },
  exclude: { good: [["tests/**"], []], bad: ["tests/**", [1]] },
  include: { good: [["src/**", "alembic.ini"], []], bad: ["src/**", [true]] },
  "django-app-tables": { good: [{ vendor: ["vendor_t"] }, { vendor: [] }], bad: [{ vendor: "vendor_t" }, ["vendor_t"]] },
  "max-file-size": { good: ["4MB", "500KB", "1048576", 1048576], bad: ["huge", true] },
  "settings-module": { good: ["mysite.settings", "settings"], bad: ["mysite/settings.py", 3, "mysite..settings"] },
  owners: { good: [{ "auth_*": "django", "billing.*": "alembic", legacy_report: "external" }, {}], bad: [{ "auth_*": "Django" }, { "bad name": "django" }, ["auth_*"]] },
  "external-tables": { good: [["auth_user", "reporting.*"], []], bad: ["auth_user", ["a b"]] },
  handoffs: {
    good: [[{ tables: ["legacy_*"], from: "django", to: "alembic" }], []],
    bad: [[{ tables: [], from: "django", to: "alembic" }], [{ tables: ["x"], from: "external", to: "alembic" }], [{ tables: ["x"], from: "django", to: "alembic", note: 1 }], {}],
  },
  "migration-order": { good: ["django-first", "alembic-first"], bad: ["django", 1] },
};

describe("configuration JSON Schema", () => {
  test("the schema lists exactly the validator's keys", () => {
    const schemaKeys = Object.keys(SCHEMA.properties).filter((k) => k !== "$schema");
    expect([...schemaKeys].sort()).toEqual([...KEYS].sort());
    expect(Object.keys(SAMPLES).sort()).toEqual([...KEYS].sort());
  });

  test("the schema and the validator accept and reject the same values, key by key", async () => {
    const rules = await loadRules();
    const validate = new Ajv({ strict: true, strictTuples: false, allowUnionTypes: true, allErrors: true }).compile(SCHEMA);
    const validatorAccepts = async (doc: Record<string, unknown>) => {
      const dir = tempDir("schema");
      writeFileSync(path.join(dir, ".tablewarden.json"), JSON.stringify(doc));
      try {
        await loadConfig(dir, rules);
        return true;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return false;
      }
    };
    for (const key of KEYS) {
      for (const [want, values] of [[true, SAMPLES[key].good], [false, SAMPLES[key].bad]] as const) {
        for (const value of values) {
          const doc = { $schema: "./node_modules/tablewarden/schema/tablewarden.schema.json", [key]: value };
          expect({ key, value, schema: validate(doc) }).toEqual({ key, value, schema: want });
          expect({ key, value, validator: await validatorAccepts(doc) }).toEqual({ key, value, validator: want });
        }
      }
    }
    expect(validate({ "no-such-key": 1 })).toBe(false);
    expect(await validatorAccepts({ "no-such-key": 1 })).toBe(false);
  });

  test("the package publishes the schema", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { files: string[]; exports: Record<string, unknown> };
    expect(pkg.files).toContain("schema/");
    expect(pkg.exports["./schema/tablewarden.schema.json"]).toBe("./schema/tablewarden.schema.json");
  });
});
