#!/usr/bin/env node
// Screenshots of what the App posts for the shipped examples (review, inline comments, sticky
// quality-gates comment, the two check runs), rendered as GitHub-flavoured Markdown and shot in
// headless Chromium (Debian's `chromium` package, driven by playwright-core). Writes
// docs/screenshots/<example>-<page>.png, and the pages' HTML and Markdown to
// docs/screenshots/html/ (not committed). Needs `npm run build` first (`npm run screenshots`).
// CHROMIUM=/path/to/chromium overrides the browser.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { collectExample, EXAMPLES } from "./screenshots/collect.mjs";
import { examplePages } from "./screenshots/html.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "docs/screenshots");
const htmlDir = join(out, "html");
mkdirSync(htmlDir, { recursive: true });
/** Taller pages (the check run's annotations) are cut: the top is what a reader sees first. */
const MAX_HEIGHT = 3000;
const load = (module) => import(pathToFileURL(join(root, "dist", `${module}.js`)).href);

const profile = mkdtempSync(join(tmpdir(), "mg-chromium-"));
// playwright passes the fresh profile as --user-data-dir.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // A fresh profile, nothing fetched in the background: the pages are local files.
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 892, height: 400 },
  deviceScaleFactor: 1,
});
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  for (const example of EXAMPLES) {
    const collected = await collectExample(root, load, example);
    writeFileSync(join(htmlDir, `${example.id}.json`), JSON.stringify(collected, null, 2));
    for (const [name, html] of Object.entries(examplePages(collected))) {
      const file = join(htmlDir, `${example.id}-${name}.html`);
      writeFileSync(file, html);
      await page.goto(pathToFileURL(file).href);
      // <details> stay folded, as a reader first sees them.
      const png = join(out, `${example.id}-${name}.png`);
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.screenshot({ path: png, fullPage: true, clip: { x: 0, y: 0, width: 892, height: Math.min(height, MAX_HEIGHT) } });
      console.log(`${example.id}-${name}.png`);
    }
    const sizes = { review: collected.review.length, inline: collected.inline.map((c) => c.body.length), sticky: collected.sticky.length, checkRunSummary: collected.checkRun.summary.length, checkRunText: collected.checkRun.text?.length ?? 0 };
    console.log(`${example.id}: characters ${JSON.stringify(sizes)}`);
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
