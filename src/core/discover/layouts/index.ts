// Every supported layout, most specific first (ties in auto-detection go to the earlier one).
import type { LayoutSpec } from "../layout.js";
import { plainLayout } from "./plain.js";

export const LAYOUTS: LayoutSpec[] = [plainLayout];
