/**
 * Discovery's own walker keeps exactly the file set globby (`gitignore: true`) gave before it: nested
 * .gitignore files, negations, anchored patterns, parent .gitignore files up to the repository root,
 * dot-folders, symbolic links, virtualenvs and exclude globs.
 */
import { mkdirSync, readdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { globby } from "globby";
import { DEFAULT_IGNORES, discover } from "../src/project/discover.js";
import { DEPLOY_DOT_GLOBS, DEPLOY_GLOBS, deployKindOf } from "../src/project/deploy-files.js";
import { FIXTURES, tempDir, writeFile as write } from "./helpers.js";

/** What discovery returned when it was built on globby: the reference. */
async function viaGlobby(root: string, ignore: string[]): Promise<string[]> {
  const found = await globby(["**/*.py", "**/*.ini", "**/pyproject.toml", "**/pyvenv.cfg", ...DEPLOY_GLOBS], {
    cwd: root,
    absolute: true,
    gitignore: true,
    dot: false,
    followSymbolicLinks: false,
    ignore: [...DEFAULT_IGNORES, ...ignore],
    suppressErrors: true,
  });
  // CI workflows in dot folders: rooted patterns walked with dot: true.
  found.push(...(await globby(DEPLOY_DOT_GLOBS, { cwd: root, absolute: true, gitignore: true, dot: true, followSymbolicLinks: false, suppressErrors: true })));
  const venvs = found.filter((f) => path.basename(f) === "pyvenv.cfg").map((f) => path.dirname(f) + path.sep);
  return found
    .filter((f) => /\.(?:py|ini)$|(?:^|\/)pyproject\.toml$|pyvenv\.cfg$/.test(f) || deployKindOf(path.relative(root, f).split(path.sep).join("/")) !== null)
    .filter((f) => !f.endsWith("pyvenv.cfg") && !venvs.some((v) => f.startsWith(v)))
    .map((f) => path.relative(root, f).split(path.sep).join("/"))
    .sort();
}

async function viaWalker(root: string, ignore: string[]): Promise<string[]> {
  return (await discover({ roots: [root], base: root, ignore })).map((s) => s.rel).sort();
}

/** A repository with a project in a subfolder, so the parent .gitignore applies too. */
function tree(): string {
  const repo = tempDir("walk");
  mkdirSync(path.join(repo, ".git"));
  write(repo, ".gitignore", "build/\n*.gen.py\n/top_only.py\nproj/anchored/\n");
  const root = path.join(repo, "proj");
  write(root, ".gitignore", "# comment\nlocal_settings.py\nlogs\n!keep.gen.py\ndocs/*.py\n!docs/index.py\ntrailing.py   \n");
  for (const rel of [
    "manage.py",
    "top_only.py",
    "app/models.py",
    "app/x.gen.py",
    "app/keep.gen.py",
    "app/local_settings.py",
    "app/migrations/0001_initial.py",
    "app/build/out.py",
    "build/lib/app/models.py",
    "logs/a.py",
    "anchored/a.py",
    "docs/conf.py",
    "docs/index.py",
    "trailing.py",
    "alembic.ini",
    "pyproject.toml",
    "setup.cfg",
    "README.md",
    ".hidden.py",
    ".github/scripts/x.py",
    "pkg/.mypy_cache/x.py",
    "node_modules/pkg/x.py",
    "venv/lib/site-packages/django/db/models.py",
    "env3/pyvenv.cfg",
    "env3/lib/python3.12/site.py",
    "__pycache__/x.py",
    "legacy/old/models.py",
    "legacy/keep.py",
    "services/tests/test_a.py",
    "services/a.py",
    "deep/a/b/c/d.py",
  ])
    write(root, rel, "x = 1\n");
  write(root, "deep/a/.gitignore", "c/\n!b/keep.py\n");
  write(root, "deep/a/b/keep.py", "");
  write(root, "sub/.gitignore", "*.py\n!wanted.py\n");
  write(root, "sub/wanted.py", "");
  write(root, "sub/unwanted.py", "");
  write(root, "sub/inner/.gitignore", "!again.py\n");
  write(root, "sub/inner/again.py", "");
  write(root, "sub/inner/not_again.py", "");
  write(repo, "outside/models.py", "");
  symlinkSync(path.join(repo, "outside"), path.join(root, "linked_dir"));
  symlinkSync(path.join(repo, "outside", "models.py"), path.join(root, "linked.py"));
  return root;
}

describe("discovery walker", () => {
  const excludes: string[][] = [[], ["legacy/**"], ["legacy"], ["**/tests/**"], ["services/*.py"], ["**/models.py", "*.ini"], ["legacy/old/**", "deep/**/d.py"], ["**/tests", "legacy/old", "deep/a/"]];
  test.each(excludes.map((e) => [e.join(" ") || "(none)", e]))("same files as globby, exclude %s", async (_name, ignore) => {
    const root = tree();
    const expected = await viaGlobby(root, ignore as string[]);
    expect(expected.length).toBeGreaterThan(10);
    expect(await viaWalker(root, ignore as string[])).toEqual(expected);
  });

  test("same files as globby on every fixture", async () => {
    for (const name of readdirSync(FIXTURES)) {
      const root = path.join(FIXTURES, name);
      expect([name, await viaWalker(root, [])]).toEqual([name, await viaGlobby(root, [])]);
    }
  });

  test("roots given unnormalised, or overlapping, list the same files once", async () => {
    const root = tree();
    const rels = async (roots: string[]) => (await discover({ roots, base: root, ignore: [] })).map((f) => [f.rel, f.kind, f.abs]);
    const plain = await rels([root]);
    expect(plain.length).toBeGreaterThan(10);
    expect(await rels([`${root}${path.sep}`])).toEqual(plain);
    expect(await rels([path.join(root, "app") + `${path.sep}..`])).toEqual(plain);
    expect(await rels([root, path.join(root, "app"), path.join(root, "app", "models.py")])).toEqual(plain);
  });

  test("a file given as a path is discovered alone", async () => {
    const root = tree();
    const files = await discover({ roots: [path.join(root, "app", "models.py")], base: root, ignore: [] });
    expect(files.map((f) => f.rel)).toEqual(["app/models.py"]);
  });
});
