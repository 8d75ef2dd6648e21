// JSON-LD to N-Quads with jsonld.js, the reference processor; no remote document is ever loaded.
// Usage: node jsonld-to-nquads.mjs FILE
import { readFileSync } from "node:fs";
import jsonld from "jsonld";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node jsonld-to-nquads.mjs FILE");
  process.exit(2);
}

// Every URL is refused: a dump must carry its context inline, and a test must not touch the network.
const documentLoader = async (url) => {
  throw new Error(`remote document loading is disabled: ${url}`);
};

try {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const nquads = await jsonld.toRDF(doc, { format: "application/n-quads", documentLoader, safe: true });
  process.stdout.write(nquads);
} catch (error) {
  const reasons = [];
  for (let e = error; e; e = e.details?.cause) reasons.push(e.message);
  console.error(`${file}: ${reasons.join(": ")}`);
  process.exit(1);
}
