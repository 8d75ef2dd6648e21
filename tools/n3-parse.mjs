// Strict parse of one RDF file with N3.js; prints its statements as N-Quads, exits 1 on any error.
// Usage: node n3-parse.mjs FORMAT FILE   (FORMAT: Turtle, N-Triples, TriG, N-Quads)
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import N3 from "n3";

const [format, file] = process.argv.slice(2);
if (!format || !file) {
  console.error("usage: node n3-parse.mjs FORMAT FILE");
  process.exit(2);
}
try {
  // format restricts the parser to that one syntax (no N3 extensions, no other syntax's shortcuts)
  const parser = new N3.Parser({ format, baseIRI: pathToFileURL(file).href });
  const quads = parser.parse(readFileSync(file, "utf8"));
  process.stdout.write(new N3.Writer({ format: "N-Quads" }).quadsToString(quads));
} catch (error) {
  console.error(`${file}: ${error.message}`);
  process.exit(1);
}
