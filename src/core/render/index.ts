// Renderers turn an AnalysisReport into what people read. Pure: report (+ sources) in, text out.
import type { Rule } from "../analyze/rule.js";
import type { AnalysisReport } from "../report.js";
import { renderHuman } from "./human.js";
import { renderMarkdown } from "./markdown.js";
import { renderSarif } from "./sarif.js";

export const FORMATS = ["human", "json", "markdown", "sarif"] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderContext {
  /** File contents by path, for code frames and suggestions. */
  sources: Map<string, string>;
  rules: Rule[];
  color: boolean;
  /** Indent JSON for a person at a terminal; machines get it compact (a third of the bytes). */
  pretty?: boolean;
  /** Terminal width: human output wraps its text at word boundaries to fit (default: no wrapping). */
  width?: number;
}

export function render(report: AnalysisReport, format: Format, context: RenderContext): string {
  switch (format) {
    case "json":
      return JSON.stringify(report, null, context.pretty ? 2 : undefined);
    case "human":
      return renderHuman(report, context);
    case "markdown":
      return renderMarkdown(report, { sources: context.sources });
    case "sarif":
      return JSON.stringify(renderSarif(report, context.rules, { sources: context.sources }), null, 2);
  }
}
