// Turns what the App posts (collect.mjs) into pages that look like GitHub shows them: GitHub-flavoured
// Markdown (tables, task lists, raw HTML such as <details>, ```suggestion blocks shown as a
// "Suggested change" diff) inside a small GitHub-like stylesheet. No browser here: the pages are
// plain HTML strings, so a test can check them.
import MarkdownIt from "markdown-it";

const escape = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** `- [ ] x` / `- [x] x` list items become disabled checkboxes, as on GitHub. */
function taskLists(md) {
  md.core.ruler.after("inline", "task-lists", (state) => {
    const tokens = state.tokens;
    for (let i = 2; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.type !== "inline" || tokens[i - 1].type !== "paragraph_open" || tokens[i - 2].type !== "list_item_open") continue;
      const first = t.children[0];
      const m = first?.type === "text" && /^\[([ xX])\] /.exec(first.content);
      if (!m) continue;
      first.content = first.content.slice(4);
      const box = new state.Token("html_inline", "", 0);
      box.content = `<input type="checkbox" class="task" disabled${m[1] === " " ? "" : " checked"}> `;
      t.children.unshift(box);
      tokens[i - 2].attrJoin("class", "task-item");
    }
  });
}

/**
 * A GFM renderer. `original` is the lines an inline comment sits on: a ```suggestion block shows
 * them removed and its own lines added, as GitHub's "Suggested change" box does.
 */
export function createRenderer() {
  const md = new MarkdownIt({ html: true, linkify: true, breaks: false });
  taskLists(md);
  const fence = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    if (token.info.trim() !== "suggestion") return fence(tokens, idx, options, env, self);
    const removed = (env.original ?? []).map((l) => `<div class="del"><span class="sign">-</span>${escape(l)}</div>`).join("");
    const added = token.content.replace(/\n$/, "").split("\n").map((l) => `<div class="add"><span class="sign">+</span>${escape(l)}</div>`).join("");
    return `<div class="suggestion"><div class="suggestion-head">Suggested change</div><pre class="suggestion-diff">${removed}${added}</pre><div class="suggestion-foot"><span class="btn">Commit suggestion</span> <span class="btn">Add suggestion to batch</span></div></div>\n`;
  };
  return (markdown, env = {}) => md.render(markdown, env);
}

export const STYLE = `
* { box-sizing: border-box; }
body { margin: 0; padding: 16px; background: #fff; color: #1f2328; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Noto Color Emoji"; width: 860px; }
.card { border: 1px solid #d1d9e0; border-radius: 6px; margin-bottom: 16px; }
.card-head { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; border-radius: 6px 6px 0 0; color: #59636e; }
.card-head b { color: #1f2328; }
.badge { border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 7px; font-size: 12px; margin-left: 4px; }
.badge.failure, .badge.REQUEST_CHANGES { color: #d1242f; border-color: #d1242f; }
.badge.success { color: #1a7f37; border-color: #1a7f37; }
.card-body { padding: 16px; }
.file-head { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; }
.markdown-body > :first-child { margin-top: 0; }
.markdown-body > :last-child { margin-bottom: 0; }
h1, h2, h3, h4 { margin: 24px 0 16px; font-weight: 600; line-height: 1.25; }
h1 { font-size: 2em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
h3 { font-size: 1.25em; } h4 { font-size: 1em; }
p, ul, ol, table, pre, details, blockquote { margin: 0 0 16px; }
ul, ol { padding-left: 2em; } li + li { margin-top: .25em; }
li.task-item { list-style: none; } li.task-item input { margin: 0 .2em .25em -1.4em; vertical-align: middle; }
a { color: #0969da; text-decoration: none; }
code { font: 85%/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: rgba(129,139,152,.12); padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; font: 85%/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre code { background: none; padding: 0; font-size: 100%; }
table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; } th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
blockquote { color: #59636e; border-left: .25em solid #d1d9e0; padding: 0 1em; }
details summary { cursor: pointer; } details[open] summary { margin-bottom: 8px; }
hr { border: 0; height: .25em; background: #d1d9e0; margin: 24px 0; }
.suggestion { border: 1px solid #d1d9e0; border-radius: 6px; margin-bottom: 16px; overflow: hidden; }
.suggestion-head { background: #f6f8fa; padding: 6px 12px; border-bottom: 1px solid #d1d9e0; font-weight: 600; font-size: 12px; }
.suggestion-diff { margin: 0; padding: 0; border-radius: 0; background: #fff; }
.suggestion-diff div { padding: 0 12px; white-space: pre; }
.suggestion-diff .del { background: #ffebe9; } .suggestion-diff .add { background: #dafbe1; }
.sign { display: inline-block; width: 1.5em; color: #59636e; user-select: none; }
.suggestion-foot { padding: 6px 12px; border-top: 1px solid #d1d9e0; text-align: right; }
.btn { display: inline-block; border: 1px solid #d1d9e0; border-radius: 6px; padding: 2px 10px; font-size: 12px; background: #f6f8fa; }
.context { margin: 0; border-radius: 0; border-bottom: 1px solid #d1d9e0; background: #fff; }
.context div { white-space: pre; } .context .num { display: inline-block; width: 3em; color: #59636e; }
.annotation { border-left: 3px solid #d1d9e0; padding: 4px 12px; margin-bottom: 12px; }
.annotation.failure { border-color: #d1242f; } .annotation.warning { border-color: #9a6700; } .annotation.notice { border-color: #0969da; }
.annotation pre { margin: 6px 0 0; }
.annotation .message { white-space: pre-wrap; }
`;

const page = (title, content) => `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title><style>${STYLE}</style></head><body>${content}</body></html>\n`;
const card = (head, body, extra = "") => `<div class="card"><div class="card-head">${head}</div>${extra}<div class="card-body markdown-body">${body}</div></div>`;
const EVENT = { COMMENT: "reviewed", REQUEST_CHANGES: "requested changes" };

/** The pages of one collected example: name → HTML. */
export function examplePages(collected, render = createRenderer()) {
  const { example } = collected;
  const bot = `<b>migration-guard</b> <span class="badge">bot</span>`;
  const pages = {};
  pages.review = page(`${example.title}: review`, card(`${bot} ${EVENT[collected.event] ?? collected.event} <span class="badge ${collected.event}">${collected.event}</span>`, render(collected.review)));
  if (collected.inline.length) {
    pages.inline = page(
      `${example.title}: inline comments`,
      collected.inline
        .map((c) => {
          const first = c.startLine ?? c.line;
          const context = c.original.map((l, i) => `<div><span class="num">${first + i}</span>${escape(l)}</div>`).join("");
          const where = `${escape(c.path)} line ${c.startLine ? `${c.startLine}–` : ""}${c.line}`;
          return card(`${bot} commented on <b>${where}</b>`, render(c.body, { original: c.original }), `<pre class="context">${context}</pre>`);
        })
        .join(""),
    );
  }
  pages.sticky = page(`${example.title}: quality gates`, card(`${bot} commented`, render(collected.sticky)));
  pages["check-run"] = page(`${example.title}: check run`, checkRunCard(collected.checkRun, render));
  pages["gates-check"] = page(`${example.title}: gates check run`, checkRunCard(collected.gatesCheck, render));
  return pages;
}

function checkRunCard(run, render) {
  const head = `<b>${escape(run.name)}</b> <span class="badge ${run.conclusion}">${escape(run.conclusion)}</span> · ${escape(run.title)}`;
  const parts = [render(run.summary)];
  if (run.text) parts.push(render(run.text));
  if (run.annotations?.length) {
    const items = run.annotations.map(
      (a) =>
        `<div class="annotation ${a.annotation_level}"><b>${escape(a.title ?? "")}</b><br><code>${escape(a.path)}#L${a.start_line}</code><div class="message">${escape(a.message)}</div>${a.raw_details ? `<pre>${escape(a.raw_details)}</pre>` : ""}</div>`,
    );
    parts.push(`<h3>Annotations</h3>${items.join("")}`);
  }
  return card(head, parts.join("\n"));
}
