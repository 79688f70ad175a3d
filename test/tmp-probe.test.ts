import { it } from "vitest";
import { parseScript } from "../src/core/parse/index.js";
it("x", () => {
  const s = parseScript({ file: "a.sql", text: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id), b int, FOREIGN KEY (b) REFERENCES c(id));\nALTER TABLE orders ADD COLUMN x bigint REFERENCES customers (id);", baseOffset: 0, baseLine: 1, dialect: "mysql" });
  for (const st of s.statements) console.log(st.kind, JSON.stringify(st.ast, null, 0).slice(0, 3000));
  console.log(s.problems);
});
