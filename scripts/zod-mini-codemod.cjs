// One-off codemod: classic zod method chains -> zod/mini functions and checks, typed by the TS checker.
// `node scripts/zod-mini-codemod.cjs src/config/schema.ts` from the repository root, then prettier and tsc;
// fix what it marks /*TODO*/ (min/max on a type it cannot tell, .strict() not on z.object) by hand.
/* eslint-disable */
const ts = require("typescript");
const fs = require("fs");
const path = require("path");
const root = process.cwd();
const files = process.argv.slice(2).map((f) => path.resolve(root, f));
const cfg = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const program = ts.createProgram(files, cfg.options);
const checker = program.getTypeChecker();
const WRAP = {
  optional: "optional",
  nullable: "nullable",
  nullish: "nullish",
  default: "_default",
  prefault: "prefault",
  catch: "catch",
  array: "array",
  readonly: "readonly",
  extend: "extend",
  partial: "partial",
  pick: "pick",
  omit: "omit",
  pipe: "pipe",
};
const CHECK = new Set([
  "regex",
  "trim",
  "toLowerCase",
  "toUpperCase",
  "startsWith",
  "endsWith",
  "includes",
  "int",
  "positive",
  "negative",
  "nonnegative",
  "nonpositive",
  "gt",
  "gte",
  "lt",
  "lte",
  "multipleOf",
  "refine",
  "superRefine",
  "describe",
  "meta",
  "length",
  "min",
  "max",
  "nonempty",
]);
let todo = 0;
for (const file of files) {
  const sf = program.getSourceFile(file);
  const text = sf.getFullText();
  const typeName = (n) => checker.typeToString(checker.getTypeAtLocation(n));
  const isZod = (n) => /^Zod|^z\.Zod/.test(typeName(n));
  const callInfo = (n) => {
    if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression)) return null;
    const recv = n.expression.expression;
    const m = n.expression.name.text;
    if (!(m in WRAP) && !CHECK.has(m) && m !== "transform" && m !== "strict") return null;
    if (!isZod(recv)) return null;
    return { recv, m };
  };
  const checkExpr = (n, recv, m) => {
    const a = n.arguments.map(rw).join(", ");
    if (m === "min" || m === "max") {
      const t = typeName(recv);
      if (/^ZodNumber/.test(t)) return `z.${m === "min" ? "gte" : "lte"}(${a})`;
      if (/^Zod(String|Array)/.test(t)) return `z.${m === "min" ? "minLength" : "maxLength"}(${a})`;
      todo++;
      return `/*TODO ${m} on ${t}*/ z.${m}(${a})`;
    }
    if (m === "nonempty") return `z.minLength(1${a ? ", " + a : ""})`;
    return `z.${m}(${a})`;
  };
  function rw(node) {
    const info = callInfo(node);
    if (info) {
      const { recv, m } = info;
      const a = node.arguments.map(rw).join(", ");
      if (CHECK.has(m)) {
        const checks = [];
        let cur = node;
        for (;;) {
          const i = callInfo(cur);
          if (!i || !CHECK.has(i.m)) break;
          checks.unshift(checkExpr(cur, i.recv, i.m));
          cur = i.recv;
        }
        return `${rw(cur)}.check(${checks.join(", ")})`;
      }
      if (m === "transform") return `z.pipe(${rw(recv)}, z.transform(${a}))`;
      if (m === "strict") {
        if (ts.isCallExpression(recv) && ts.isPropertyAccessExpression(recv.expression) && recv.expression.name.text === "object" && recv.expression.expression.getText() === "z")
          return `z.strictObject(${recv.arguments.map(rw).join(", ")})`;
        todo++;
        return `/*TODO strict*/ ${rw(recv)}.strict()`;
      }
      return `z.${WRAP[m]}(${rw(recv)}${a ? ", " + a : ""})`;
    }
    if (ts.isQualifiedName(node) && node.left.getText() === "z" && node.right.text === "ZodType") return "z.ZodMiniType";
    const kids = node.getChildren(sf);
    if (kids.length === 0) return node.getText(sf);
    let out = "";
    let pos = node.getStart(sf);
    for (const k of kids) {
      if (k.getStart(sf) < pos) continue;
      out += text.slice(pos, k.getStart(sf)) + rw(k);
      pos = k.getEnd();
    }
    return out;
  }
  let out = "";
  let pos = 0;
  for (const st of sf.statements) {
    out += text.slice(pos, st.getStart(sf)) + rw(st);
    pos = st.getEnd();
  }
  out += text.slice(pos);
  fs.writeFileSync(file, out);
}
console.error("todo", todo);
