// Offline checks of Kubernetes manifests, no cluster needed (deploy/validate.sh runs it):
//  1. every document against the Kubernetes 1.27 OpenAPI schema (types, required fields, enums), with the
//     npm package kubernetes-models;
//  2. unknown or misspelt fields, which that schema allows: each document becomes a TypeScript object
//     literal of its kubernetes-models type, and `tsc --noEmit` reports any excess property.
// Usage: node validate-k8s.mjs TOOLS_DIR FILE.yaml...   (TOOLS_DIR: node_modules with kubernetes-models,
// js-yaml and typescript). Exit status 1 when a document fails.
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const [toolsDir, ...files] = process.argv.slice(2);
const modules = path.resolve(toolsDir, "node_modules");
const require = createRequire(path.join(modules, "noop.js"));
const yaml = require("js-yaml");

// apiVersion -> folder of kubernetes-models ("v1" for the core group, "apps/v1", "networking.k8s.io/v1", ...)
const folder = (apiVersion) => apiVersion;

let failed = 0;
const literals = [];
const imports = new Set();
for (const file of files) {
  const docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d != null);
  for (const [i, doc] of docs.entries()) {
    const where = `${file}#${i + 1} ${doc.kind}/${doc.metadata?.name}`;
    if (doc.apiVersion === "kustomize.config.k8s.io/v1beta1") continue; // not a cluster object
    const modelFile = path.join(modules, "kubernetes-models", folder(doc.apiVersion), `${doc.kind}.js`);
    if (!fs.existsSync(modelFile)) {
      console.log(`FAIL ${where}: no model for ${doc.apiVersion} ${doc.kind}`);
      failed++;
      continue;
    }
    const mod = await import(modelFile);
    try {
      new mod[doc.kind](doc).validate();
      console.log(`ok   ${where}: schema`);
    } catch (e) {
      console.log(`FAIL ${where}: ${e.message}`);
      failed++;
    }
    const alias = `I${doc.kind}_${literals.length}`;
    imports.add(`import type { I${doc.kind} as ${alias} } from "kubernetes-models/${folder(doc.apiVersion)}/${doc.kind}";`);
    literals.push(`// ${where}\nexport const m${literals.length}: ${alias} = ${JSON.stringify(doc, null, 2)};`);
  }
}

// Excess-property check: object literals assigned to a typed constant may not carry unknown keys.
const dir = fs.mkdtempSync(path.join(toolsDir, "tscheck-"));
fs.writeFileSync(path.join(dir, "manifests.ts"), [...imports, ...literals].join("\n") + "\n");
fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022",
                     skipLibCheck: true, typeRoots: [], baseUrl: ".", paths: { "*": [path.join(modules, "*")] } },
  files: ["manifests.ts"],
}));
fs.symlinkSync(modules, path.join(dir, "node_modules"));
try {
  execFileSync(path.join(modules, ".bin", "tsc"), ["-p", dir], { stdio: "pipe" });
  console.log(`ok   ${literals.length} documents: no unknown fields (TypeScript excess-property check)`);
} catch (e) {
  console.log(`FAIL unknown or mistyped fields:\n${e.stdout}`);
  failed++;
}
fs.rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
