// The HTML half of `npm run screenshots` (no browser): the pages are built from what the App's
// renderers produce for the shipped examples, so a renderer change that breaks the GitHub view
// (a suggestion no longer shown as one, details no longer folded) fails here, not silently in docs.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain JavaScript module of the screenshot script
import { collectExample, EXAMPLES } from "../scripts/screenshots/collect.mjs";
// @ts-expect-error plain JavaScript module of the screenshot script
import { createRenderer, examplePages } from "../scripts/screenshots/html.mjs";

const root = join(import.meta.dirname, "..");
const load = (module: string) => import(join(root, `${module}.ts`));

describe("screenshot pages", () => {
  it("renders GitHub-flavoured Markdown: task lists, tables, raw <details>, suggestions", () => {
    const render = createRenderer();
    const html = render("- [x] done\n- [ ] open\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<details><summary>More</summary>\n\nhidden\n\n</details>\n\n```suggestion\nnew line\n```\n", {
      original: ["old line"],
    });
    expect(html).toContain('<input type="checkbox" class="task" disabled checked> done');
    expect(html).toContain('<input type="checkbox" class="task" disabled> open');
    expect(html).toContain("<table>");
    expect(html).toContain("<details><summary>More</summary>");
    expect(html).toMatch(/Suggested change.*class="del"><span class="sign">-<\/span>old line.*class="add"><span class="sign">\+<\/span>new line/s);
  });

  it("builds the one-index example's pages from the App's renderers", async () => {
    const example = EXAMPLES.find((e: { id: string }) => e.id === "create-index");
    const collected = await collectExample(root, load, example);
    expect(collected.event).toBe("REQUEST_CHANGES");
    const pages = examplePages(collected);
    expect(Object.keys(pages).sort()).toEqual(["check-run", "gates-check", "inline", "review", "sticky"]);
    // The inline comment on the CREATE INDEX carries a committable suggestion, shown as GitHub does.
    expect(pages.inline).toContain("Suggested change");
    expect(pages.inline).toMatch(/class="del"><span class="sign">-<\/span>CREATE INDEX orders_customer_id_idx ON orders \(customer_id\);/);
    expect(pages.inline).toMatch(/class="add"><span class="sign">\+<\/span>CREATE INDEX CONCURRENTLY orders_customer_id_idx/);
    // The review: its gates checklist as task items, the commit-format help folded.
    expect(pages.review).toContain("1 blocking finding");
    expect(pages.review).toContain('class="task"');
    expect(pages.review).toMatch(/<details><summary>[^<]+<\/summary>/);
    // The sticky comment folds how to sign off; the check run lists the findings' annotations.
    expect(pages.sticky).toContain("<details><summary>How to sign off</summary>");
    expect(pages["check-run"]).toContain("<summary>Deployment runbook: checklist, steps, monitoring and rollback</summary>");
    expect(pages["check-run"]).toContain('class="annotation failure"');
    // Nothing raw slipped through: no unrendered fence or HTML-escaped details.
    for (const html of Object.values(pages) as string[]) {
      expect(html).not.toContain("```");
      expect(html).not.toContain("&lt;details");
    }
  });
});
