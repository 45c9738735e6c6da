// Renders `tablewarden tables --format mermaid|dot` with real renderers: Mermaid (the npm package's own
// browser bundle) in headless Chromium, and Graphviz's `dot`. Part of `npm run test:real`.
// Exit 0 and "N passed, 0 failed" when every diagram renders; exit 1 otherwise.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(root, "bin", "tablewarden.js");
const bundle = pathToFileURL(path.join(root, "node_modules", "mermaid", "dist", "mermaid.min.js")).href;
const chromium = ["chromium", "chromium-browser", "google-chrome"].find((c) => spawnSync("which", [c]).status === 0);
const FIXTURES = ["example-shop", "clean-mirror-on-separate-metadata", "double-ownership-revision-creates-django-table", "clean-django-swappable-and-contrib", "clean-sqla-bases-and-metadata"];

const work = mkdtempSync(path.join(tmpdir(), "tw-diagrams-"));
let passed = 0;
let failed = 0;
const fail = (what, why) => {
  failed++;
  console.log(`FAIL ${what}: ${why}`);
};

function tables(fixture, format) {
  const r = spawnSync(process.execPath, [bin, "tables", path.join(root, "fixtures", fixture), "--format", format], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tablewarden tables exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Render every diagram in one page load (Chromium's start-up is the slow part): each diagram's SVG or
 * error lands in its own element, and --dump-dom prints them all.
 */
function renderMermaid(diagrams) {
  const html = path.join(work, "diagrams.html");
  const esc = (t) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  writeFileSync(
    html,
    `<!doctype html><html><body>
${diagrams.map((d, i) => `<pre id="src${i}">${esc(d.text)}</pre><div id="out${i}">pending</div>`).join("\n")}
<script src="${bundle}"></script>
<script>
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  (async () => {
    for (let i = 0; i < ${diagrams.length}; i++) {
      const out = document.getElementById("out" + i);
      try {
        const { svg } = await mermaid.render("diagram" + i, document.getElementById("src" + i).textContent);
        out.innerHTML = "RENDERED" + svg;
      } catch (e) {
        out.textContent = "ERROR " + ((e && e.message) || e);
      }
    }
    document.title = "DONE";
  })();
</script></body></html>`,
  );
  const r = spawnSync(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom", pathToFileURL(html).href], {
    encoding: "utf8",
    timeout: 300_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const dom = r.stdout ?? "";
  if (!dom.includes("<title>DONE</title>")) throw new Error(`Chromium did not finish rendering (exit ${r.status}) ${r.error ?? ""} ${(r.stderr ?? "").slice(-300)}`);
  // One result per diagram: the part of the DOM between its output element and the next.
  return diagrams.map((d, i) => {
    const at = dom.indexOf(`<div id="out${i}">`);
    const next = dom.indexOf(`<pre id="src${i + 1}">`, at);
    const part = dom.slice(at, next < 0 ? undefined : next);
    if (!part.includes("RENDERED<svg")) return /ERROR[^<]*/.exec(part)?.[0] ?? "no SVG";
    const labels = [...d.text.matchAll(/^\s+t\d+\["([^"]+)"\]$/gm)].map((m) => m[1]);
    const missing = labels.filter((l) => !part.includes(l));
    if (labels.length === 0 || missing.length > 0) return `labels missing from the SVG: ${missing.join(", ") || "(none in the diagram)"}`;
    return null;
  });
}

function renderDot(fixture) {
  const text = tables(fixture, "dot");
  const r = spawnSync("dot", ["-Tsvg"], { input: text, encoding: "utf8" });
  if (r.status !== 0 || !r.stdout.includes("<svg")) return fail(`dot ${fixture}`, r.stderr || `exit ${r.status}`);
  if (r.stderr.trim()) return fail(`dot ${fixture}`, `warnings: ${r.stderr.trim()}`);
  passed++;
  console.log(`ok   dot ${fixture}`);
}

try {
  if (!chromium || spawnSync("which", ["dot"]).status !== 0) {
    console.log("diagrams: skipped (needs chromium and graphviz: apt-get install -y chromium graphviz)");
    process.exit(process.env.CI === "true" ? 1 : 0);
  }
  // The first diagram is broken on purpose: the check must be able to fail.
  const diagrams = [{ name: "self-check (broken on purpose)", text: 'flowchart LR\n  t0["unclosed\n' }, ...FIXTURES.map((f) => ({ name: f, text: tables(f, "mermaid") }))];
  const results = renderMermaid(diagrams);
  if (results[0] === null) fail("mermaid self-check", "a broken diagram was reported as rendered");
  else console.log("ok   mermaid self-check: a broken diagram is reported as an error");
  diagrams.slice(1).forEach((d, i) => {
    const err = results[i + 1];
    if (err) fail(`mermaid ${d.name}`, err);
    else {
      passed++;
      console.log(`ok   mermaid ${d.name}`);
    }
  });
  for (const f of FIXTURES) renderDot(f);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`diagrams: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
