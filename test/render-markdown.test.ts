// The review body the bot posts (and `check --format markdown` prints), as exact text.
import { describe, expect, it } from "vitest";
import { renderMarkdown, renderReviewBody, REVIEW_MARKER } from "../src/core/render/markdown.js";
import { render } from "../src/core/render/index.js";
import { safeInline } from "../src/core/render/common.js";
import { allFindings } from "../src/core/report.js";
import { analyze, CLEAN, RISKY } from "./render-fixtures.js";

const NO_TRANSACTION = { transaction: "none" } as const;

describe("review body", () => {
  it("says plainly that a clean change is clean", async () => {
    const { report, sources } = await analyze(CLEAN);
    const body = renderReviewBody(report, { sources });
    expect(body.startsWith(`${REVIEW_MARKER}\n## ✅ migration-guard: no findings\n`)).toBe(true);
    await expect(body).toMatchFileSnapshot("__snapshots__/render/review-clean.md");
  });

  it("says when a change has no migrations", async () => {
    const { report } = await analyze({ "docs/README.md": "# not a migration\n" });
    await expect(renderReviewBody(report)).toMatchFileSnapshot("__snapshots__/render/review-no-migrations.md");
  });

  it("lists every finding with its fix when nothing was posted inline (the CLI's view)", async () => {
    const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
    const body = renderReviewBody(report, { sources });
    await expect(body).toMatchFileSnapshot("__snapshots__/render/review-risky.md");
    // Every unsuppressed finding is listed once, with file:line and a docs link.
    for (const f of allFindings(report)) {
      expect(body).toContain(`\`${f.span.file}:${f.span.startLine}\` **${f.ruleId}**`);
    }
    expect(body).toContain("orders_archive is written once a night"); // the suppression's reason, in the details
  });

  it("prints exactly the bot's body for `check --format markdown`", async () => {
    const { report, sources, rules } = await analyze(RISKY, { config: NO_TRANSACTION });
    const cli = render(report, "markdown", { sources, rules, color: false });
    expect(cli).toBe(renderReviewBody(report, { sources }));
    expect(renderMarkdown(report, { sources })).toBe(cli);
  });

  it("keeps only the findings that were not posted inline, and says where the others are", async () => {
    const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
    const findings = allFindings(report);
    // The app posts the findings on changed lines inline; here the parse error and the missing rollback are not.
    const inline = new Set(findings.filter((f) => !["parse-error", "missing-rollback"].includes(f.ruleId)).map((f) => f.fingerprint));
    const body = renderReviewBody(report, { sources, inlineFindingFingerprints: inline });
    await expect(body).toMatchFileSnapshot("__snapshots__/render/review-partly-inline.md");
    expect(body).toContain("### Findings not on a changed line");
    expect(body).toContain(`${inline.size} findings are posted as comments on the changed lines.`);
    expect(body).not.toContain("**require-concurrent-index**:");
    expect(body).toContain("**parse-error**:");
  });

  it("renders the sections it is given, and nothing for the ones not given", async () => {
    const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
    const inline = new Set(allFindings(report).map((f) => f.fingerprint));
    const body = renderReviewBody(report, {
      sources,
      inlineFindingFingerprints: inline,
      notes: ["This pull request changes more than 3,000 files; GitHub lists only the first 3,000."],
      sections: {
        gates: "- [x] Rollback tested\n- [ ] DBA sign-off (needs @acme/dba)",
        commitFormat: "✅ All 3 commits follow Conventional Commits.",
        evidence: "#### Migration test on PostgreSQL 15\n\n✅ forward → rollback → forward passed",
      },
    });
    await expect(body).toMatchFileSnapshot("__snapshots__/render/review-with-sections.md");
    expect(body).not.toContain("Not available yet"); // a missing section is simply absent
    expect(body).toContain("✅ All 3 commits follow Conventional Commits.\n\n#### Migration test on PostgreSQL 15\n\n✅ forward"); // its own heading is kept
    expect(body).toContain("All 7 findings are comments on the changed lines.");
    expect(body).not.toContain("\n- ❌"); // nothing left to list in the body
  });

  it("names the fail level in what to do when warnings block", async () => {
    const { report } = await analyze(RISKY, { config: { ...NO_TRANSACTION, fail_level: "warning" } });
    expect(renderReviewBody(report)).toContain("**To merge:** fix the findings at or above `warning`, or suppress one with a reason:");
    expect(renderReviewBody(report)).toContain("## ❌ migration-guard: 7 blocking findings\n");
  });

  it("shows the estimated lock hold time when the risk model knows it", async () => {
    const { report } = await analyze(RISKY, { config: NO_TRANSACTION });
    // Hold-time estimates come from table statistics; set one on the engine's real lock to see it rendered.
    const lock = report.migrations[1]!.risk!.locks[0]!;
    lock.estimatedSeconds = 754;
    lock.work = "index build";
    const body = renderReviewBody(report);
    expect(body).toContain("| `orders` SHARE (blocks writes, ~13 min) |");
    expect(body).toContain("| `orders` | SHARE | writes (INSERT, UPDATE, DELETE); reads continue | ~13 min | index build |");
  });

  it("neither lets a message open raw HTML nor mangles code spans", () => {
    expect(safeInline("cannot <details> here but `a < b` stays\nand one line")).toBe("cannot &lt;details> here but `a < b` stays and one line");
  });
});

describe("review body size limit", () => {
  it("cuts at a line boundary, closes the details and points at the check run", async () => {
    const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
    const full = renderReviewBody(report, { sources });
    const maxLength = 2500;
    expect(full.length).toBeGreaterThan(maxLength);
    const body = renderReviewBody(report, { sources, maxLength, checkRunUrl: "https://github.com/acme/shop/runs/42" });
    expect(body.length).toBeLessThanOrEqual(maxLength);
    await expect(body).toMatchFileSnapshot("__snapshots__/render/review-cut.md");
    expect(body.startsWith(REVIEW_MARKER)).toBe(true);
    expect(body).toMatch(/> ✂️ \d+ more lines cut to stay within GitHub's 2,500-character limit: see the \[full report in the check run\]\(https:\/\/github.com\/acme\/shop\/runs\/42\)\.\n$/);
    // Every kept line is a whole line of the full body.
    const kept = body.split("\n").slice(0, -2);
    for (const line of kept) expect(full.split("\n")).toContain(line);
    expect(unbalancedFences(body)).toBe(false);
    expect(count(body, "<details>")).toBe(count(body, "</details>"));
  });

  it("keeps a 5,000-migration change within GitHub's 65,536 characters", async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 5000; i++) {
      const v = String(i).padStart(5, "0");
      files[`db/migrations/${v}_add_index_${i}.up.sql`] = `CREATE INDEX t${i}_a_idx ON t${i} (a);\n`;
      files[`db/migrations/${v}_add_index_${i}.down.sql`] = `DROP INDEX t${i}_a_idx;\n`;
    }
    const { report, sources } = await analyze(files, { config: NO_TRANSACTION });
    expect(report.migrations).toHaveLength(5000);
    const body = renderReviewBody(report, { sources });
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("| `db/migrations/00001_add_index_1.up.sql` |");
    // The table keeps 50 rows and counts the rest, so the findings list still makes it into the body.
    expect(body).toContain("| `db/migrations/00050_add_index_50.up.sql` |");
    expect(body).not.toContain("| `db/migrations/00051_add_index_51.up.sql` |");
    expect(body).toContain("| …and 4,950 more migrations: 4,950 more needing attention (see the details) | | | | |");
    // Many findings are folded per migration, with a count of what is folded.
    expect(body).toContain("### Findings\n\n5,000 findings in 5,000 files, folded per file below.\n\n<details><summary>❌ `db/migrations/00001_add_index_1.up.sql`: 1 error</summary>\n\n- ❌ `db/migrations/00001_add_index_1.up.sql:1` **require-concurrent-index**");
    expect(body).toMatch(/> ✂️ [\d,]+ more lines cut to stay within GitHub's 65,536-character limit: see the full report in the `migration-guard` check run\.\n$/);
    expect(unbalancedFences(body)).toBe(false);
  });

  it("lists the migrations that need attention first when there are many", async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 60; i++) {
      const v = String(i).padStart(3, "0");
      files[`db/migrations/${v}_create_t${i}.up.sql`] = `CREATE TABLE t${i} (id bigint PRIMARY KEY);\n`;
      files[`db/migrations/${v}_create_t${i}.down.sql`] = `DROP TABLE t${i};\n`;
    }
    files["db/migrations/061_index_t1.up.sql"] = "CREATE INDEX t1_id_idx ON t1 (id);\n";
    files["db/migrations/061_index_t1.down.sql"] = "DROP INDEX t1_id_idx;\n";
    const { report } = await analyze(files, { config: NO_TRANSACTION });
    const body = renderReviewBody(report);
    const rows = body.split("\n").filter((l) => l.startsWith("| `db/migrations/"));
    expect(rows).toEqual([expect.stringContaining("| `db/migrations/061_index_t1.up.sql` | 🟠 high |")]);
    expect(body).toContain("| …and 60 more migrations: 60 with low risk and no findings | | | | |");
  });

  it("never splits a finding and its diff preview", async () => {
    const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
    const full = renderReviewBody(report, { sources });
    // Even an absurdly small limit is respected, keeping the marker and the verdict.
    const tiny = renderReviewBody(report, { sources, maxLength: 300 });
    expect(tiny.length).toBeLessThanOrEqual(300);
    expect(tiny.startsWith(`${REVIEW_MARKER}\n## ❌ migration-guard: 4 blocking findings\n`)).toBe(true);
    // Try every cut point through the findings list: fences always stay balanced.
    for (let maxLength = 1200; maxLength < full.length; maxLength += 97) {
      const body = renderReviewBody(report, { sources, maxLength });
      expect(body.length).toBeLessThanOrEqual(maxLength);
      expect(unbalancedFences(body)).toBe(false);
      expect(count(body, "<details>")).toBe(count(body, "</details>"));
    }
  });
});

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function unbalancedFences(text: string): boolean {
  return text.split("\n").filter((l) => /^\s*```/.test(l)).length % 2 === 1;
}
