/**
 * The source reader: one buffer reused across files must never leak one file's bytes into the next,
 * and every diagnostic (missing, too large, binary, not UTF-8) reads as it always did.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createReader, readSource } from "../src/project/read.js";
import { tempDir } from "./helpers.js";

function write(root: string, rel: string, content: string | Buffer): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

describe("source reader", () => {
  test("files of every size through one reader: each text exactly its own", () => {
    const root = tempDir("read");
    const sizes = [10, 100_000, 3, 0, 70_000, 1_500_000, 5, 64 * 1024, 64 * 1024 + 1, 2];
    const texts = sizes.map((n, i) => `${"abcdefghij"[i]}é`.repeat(Math.ceil(n / 3)).slice(0, n));
    const files = texts.map((t, i) => write(root, `f${i}.py`, t));
    const reader = createReader(2 * 1024 * 1024);
    for (let round = 0; round < 2; round++) {
      files.forEach((f, i) => expect(reader.read(f, `f${i}.py`)).toEqual({ text: texts[i], diagnostics: [] }));
    }
  });

  test("diagnostics: missing, over the limit, binary, not UTF-8; a BOM (even two) is dropped like TextDecoder does", () => {
    const root = tempDir("read");
    const reader = createReader(1000);
    const loc = (file: string) => ({ file, line: 1, column: 1, endLine: 1, endColumn: 1 });
    expect(reader.read(path.join(root, "nope.py"), "nope.py")).toEqual({
      text: null,
      diagnostics: [{ code: "unreadable-file", severity: "warning", message: "cannot read file: ENOENT", loc: loc("nope.py") }],
    });
    expect(reader.read(write(root, "big.py", "x".repeat(1001)), "big.py").diagnostics[0]).toMatchObject({ code: "skipped-file", severity: "info" });
    expect(reader.read(write(root, "ok.py", "x".repeat(1000)), "ok.py").text).toHaveLength(1000);
    expect(reader.read(write(root, "bin.py", Buffer.from([0x61, 0, 0x62])), "bin.py")).toEqual({
      text: null,
      diagnostics: [{ code: "skipped-file", severity: "info", message: "skipped: binary file (contains NUL bytes)", loc: loc("bin.py") }],
    });
    const latin = reader.read(write(root, "latin.py", Buffer.from("# caf\xe9\n", "latin1")), "latin.py");
    expect(latin.text).toBe("# caf\ufffd\n");
    expect(latin.diagnostics.map((d) => d.code)).toEqual(["encoding"]);
    const cookie = reader.read(write(root, "cookie.py", Buffer.from("# coding: latin-1\n# caf\xe9\n", "latin1")), "cookie.py");
    expect(cookie).toEqual({ text: "# coding: latin-1\n# café\n", diagnostics: [] });
    expect(reader.read(write(root, "bom.py", "\ufeffx = 1\n"), "bom.py").text).toBe("x = 1\n");
    expect(reader.read(write(root, "bom2.py", "\ufeff\ufeffx = 1\n"), "bom2.py").text).toBe("x = 1\n");
    expect(reader.read(write(root, "bom3.py", "\ufeff\ufeff\ufeffx\n"), "bom3.py").text).toBe("\ufeffx\n");
    expect(readSource(path.join(root, "ok.py"), "ok.py", 1000).text).toHaveLength(1000);
    // Limits above the reader's 64 KiB buffer: a file that fills it is measured before the rest is read.
    const wide = createReader(100_000);
    expect(wide.read(write(root, "wide-big.py", "y".repeat(150_000)), "wide-big.py")).toMatchObject({ text: null, diagnostics: [{ code: "skipped-file" }] });
    expect(wide.read(write(root, "wide-ok.py", "z".repeat(99_999)), "wide-ok.py").text).toBe("z".repeat(99_999));
    expect(wide.read(write(root, "wide-edge.py", "w".repeat(100_001)), "wide-edge.py").diagnostics[0]).toMatchObject({ code: "skipped-file" });
    // A folder is opened but cannot be read: a warning, as before.
    mkdirSync(path.join(root, "dir.py"));
    expect(createReader(1 << 20).read(path.join(root, "dir.py"), "dir.py").diagnostics[0]).toMatchObject({ code: "unreadable-file", message: "cannot read file: EISDIR" });
  });
});
