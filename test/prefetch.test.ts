/** Parsing ahead the import closure of model modules (src/project/prefetch.ts): what is parsed, in which rounds. */
import { modelsModules, prefetchClosure } from "../src/project/prefetch.js";

/** A project as an import graph; `parsed` files' imports are known at the start, the others once parsed. */
async function walk(graph: Record<string, string[]>, parsed: string[], roots: string[], broken: string[] = []): Promise<{ rounds: string[][]; parses: number }> {
  const known = new Set(parsed);
  let parses = 0;
  const rounds = await prefetchClosure(
    roots,
    (f) => (known.has(f) ? (broken.includes(f) ? [] : (graph[f] ?? [])) : null),
    async (files) => {
      parses++;
      for (const f of files) if (!broken.includes(f) || f.endsWith("!")) known.add(f);
    },
  );
  return { rounds, parses };
}

describe("parsing the model modules' import closure ahead", () => {
  test("rounds follow the imports of what the last round parsed, and stop at files already known", async () => {
    const graph = {
      "shop/models.py": ["shop/base.py", "shop/utils.py"],
      "shop/base.py": ["core/mixins.py"],
      "shop/utils.py": [],
      "core/mixins.py": ["core/consts.py", "shop/base.py"], // a cycle back
      "core/consts.py": [],
    };
    const r = await walk(graph, ["shop/models.py", "shop/utils.py"], ["shop/models.py"]);
    expect(r.rounds).toEqual([["shop/base.py"], ["core/mixins.py"], ["core/consts.py"]]);
  });

  test("a file that stays unknown after parsing (unreadable) is tried once", async () => {
    const r = await walk({ "a/models.py": ["a/gone.py"] }, ["a/models.py"], ["a/models.py"], ["a/gone.py"]);
    expect(r.rounds).toEqual([["a/gone.py"]]);
    expect(r.parses).toBe(1);
  });

  test("nothing to parse: no round", async () => {
    const r = await walk({ "a/models.py": ["a/b.py"], "a/b.py": [] }, ["a/models.py", "a/b.py"], ["a/models.py"]);
    expect(r.rounds).toEqual([]);
    expect(r.parses).toBe(0);
  });

  test("roots are every models module by file name", () => {
    expect(modelsModules(["shop/models.py", "shop/models/__init__.py", "models.py", "shop/models/order.py", "shop/mymodels.py", "models/__init__.py"])).toEqual([
      "shop/models.py",
      "shop/models/__init__.py",
      "models.py",
      "models/__init__.py",
    ]);
  });
});
