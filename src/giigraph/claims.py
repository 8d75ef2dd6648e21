"""Checks the article's claims against the data, and records each verdict as a schema:ClaimReview.

Each `gii:CheckableClaim` carries its test in the dataset (written by the curators, data/curated/
claim-tests.yaml): a SPARQL ASK that holds when the data contradicts the claim (`gii:contradictionTest`),
one that holds when the data supports it (`gii:supportTest`), and a SELECT of the evidence
(`gii:evidenceQuery`, projecting ?evidence and ?source, optionally ?note). The verdict is
`contradicted` when the first holds (evidence against a claim outweighs evidence for it), else
`supported` when the second holds, else `not decidable`. The tests leave out what the claim's own
article says, so that the article is never its own evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import DEFAULT_BASE

if TYPE_CHECKING:
    from rdflib import Dataset, Graph

    from .quads import Quads

SUPPORTED, CONTRADICTED, NOT_DECIDABLE = "supported", "contradicted", "not decidable"
#: Verdict -> (SKOS concept local name, schema:Rating value on a 1 (worst) .. 3 (best) scale, label).
VERDICTS = {
    CONTRADICTED: ("Contradicted", 1, "Contradicted by the data"),
    NOT_DECIDABLE: ("NotDecidable", 2, "Not decidable from the data"),
    SUPPORTED: ("Supported", 3, "Supported by the data"),
}
REVIEWS_GRAPH = "claim-reviews"


class QuerySyntaxError(Exception):
    """A stored query does not parse, or is not of the expected form; `line` is 1-based in the text."""

    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message
        super().__init__(f"line {line}: {message}")


@dataclass(frozen=True)
class Evidence:
    fact: str
    label: str
    source: str
    source_name: str
    url: str | None
    note: str | None = None


@dataclass(frozen=True)
class Review:
    claim: str
    quote: str
    summary: str
    verdict: str
    evidence: tuple[Evidence, ...]


# --- the stored queries ---------------------------------------------------------------------------

def query_prefixes(base: str) -> dict[str, str]:
    """The prefixes a stored query may use: the dataset's, with `cluster:` etc. under `base`."""
    from .builder import ALL_KINDS
    from .namespaces import data_prefixes

    return data_prefixes(base, ALL_KINDS)


def parse_query(text: str, form: str, base: str = DEFAULT_BASE) -> None:
    """Raise QuerySyntaxError unless `text` is a SPARQL query of `form` (ASK or SELECT) that may run.

    `query.safety.checked` first (a stored query must not fetch: it would run on every build), then
    Oxigraph parses it, which is fast: it runs the checked text against an empty store."""
    import pyoxigraph as ox

    from .errors import QueryRefused
    from .query.safety import checked

    prefixes = query_prefixes(base)
    try:
        text = checked(text, prefixes=prefixes, graphs=())
        result = ox.Store().query(text, prefixes=prefixes)
    except QueryRefused as exc:
        raise QuerySyntaxError(1, str(exc)) from None
    except SyntaxError as exc:
        where = re.match(r"error at (\d+):(\d+): ", str(exc))
        line = int(where[1]) if where else 1
        detail = str(exc)[where.end():] if where else str(exc)
        detail = detail if len(detail) < 120 else detail[:117] + "..."
        col = f" at column {where[2]}" if where else ""
        raise QuerySyntaxError(line, f"SPARQL syntax error{col}: {detail}") from None
    actual = _form(result)
    if actual != form:
        raise QuerySyntaxError(1, f"must be a SPARQL {form} query, not {actual}")


def _form(result: object) -> str:
    import pyoxigraph as ox

    return ("ASK" if isinstance(result, ox.QueryBoolean) else "SELECT" if isinstance(result, ox.QuerySolutions)
            else "CONSTRUCT/DESCRIBE")


def standalone(text: str, base: str) -> str:
    """The query with PREFIX declarations for the prefixes it uses, so it runs anywhere as stored."""
    body = text.strip()
    used = [(p, ns) for p, ns in sorted(query_prefixes(base).items())
            if re.search(rf"(?<![\w:-]){re.escape(p)}:", body)]
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in used) + body + "\n"


# --- checking -----------------------------------------------------------------------------------

_TESTS = """
SELECT ?claim ?quote ?summary ?support ?contradiction ?evidence WHERE {
  ?claim gii:supportTest ?support ; gii:contradictionTest ?contradiction ; gii:evidenceQuery ?evidence .
  OPTIONAL { ?claim schema:text ?quote FILTER(langMatches(lang(?quote), "en")) }
  OPTIONAL { ?claim schema:description ?summary FILTER(langMatches(lang(?summary), "en")) }
} ORDER BY ?claim
"""

_DESCRIBE = """
SELECT ?fact ?source ?label ?name ?url WHERE {
  VALUES (?fact ?source) { %s }
  OPTIONAL { ?fact rdfs:label ?label FILTER(langMatches(lang(?label), "en")) }
  OPTIONAL { ?source schema:name ?name FILTER(langMatches(lang(?name), "en")) }
  OPTIONAL { ?source schema:url ?url }
}
"""


def check(dataset: "Quads | Dataset | Graph") -> list[Review]:
    """Evaluate every claim's stored test against all the data (the union of the named graphs).

    The queries run on Oxigraph (an in-memory copy of the dataset): the same answers as rdflib, which
    the tests confirm, in a fraction of the time. Each passes `query.safety.checked` first, with FROM
    limited to the dataset's graphs: the tests come with the data, which may come from anywhere
    (`giigraph claims FILE`). A test that is not what its property says raises InputError; data
    holding a literal the store would keep in another form (`convert.rewritten_by_store`: the tests
    would see that form) raises InputError too."""
    import pyoxigraph as ox

    from .convert import rewritten_by_store
    from .errors import GiigraphError, InputError
    from .namespaces import PREFIXES
    from .query.safety import checked
    from .quads import Quads

    quads = dataset if isinstance(dataset, Quads) else Quads.from_rdflib(dataset)
    rewritten = rewritten_by_store(quads.typed_literals())
    if rewritten is not None:
        raise InputError(f"the claim tests cannot run exactly: the data holds {rewritten}, which Oxigraph's "
                         "store, where they run, keeps in another form")
    if isinstance(dataset, Quads):
        store = dataset.store()
    else:
        store = ox.Store()
        store.bulk_load(dataset.serialize(format="nquads", encoding="utf-8"), ox.RdfFormat.N_QUADS)
    graphs = frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))

    def run(query: "ox.Literal | str", source: str, form: str):
        if not isinstance(query, (str, ox.Literal)):
            raise InputError(f"{source} is {query}, not a literal holding a SPARQL query")
        text = checked(query if isinstance(query, str) else query.value, source, prefixes=PREFIXES, graphs=graphs)
        result = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        if _form(result) != form:
            raise InputError(f"{source} must be a SPARQL {form} query, not {_form(result)}")
        return result if form == "ASK" else list(result)

    reviews = []
    for row in run(_TESTS, "the query of claim tests", "SELECT"):
        claim = row["claim"].value
        try:
            verdict = CONTRADICTED if bool(run(row["contradiction"], f"the gii:contradictionTest of <{claim}>", "ASK")) \
                else SUPPORTED if bool(run(row["support"], f"the gii:supportTest of <{claim}>", "ASK")) else NOT_DECIDABLE
            source = f"the gii:evidenceQuery of <{claim}>"
            hits = [(h["evidence"], h["source"], _text(h["note"])) for h in run(row["evidence"], source, "SELECT")]
            if any(not isinstance(t, ox.NamedNode) for f, s, _ in hits for t in (f, s)):
                raise InputError(f"{source} must bind ?evidence and ?source to IRIs in every row")
            pairs = " ".join(f"({f} {s})" for f, s, _ in hits)
            about = {(a["fact"], a["source"]): a for a in run(_DESCRIBE % pairs, source, "SELECT")} if hits else {}
        except GiigraphError:
            raise
        except (SyntaxError, OSError, RuntimeError, ValueError, KeyError, TypeError) as exc:
            detail = " ".join(str(exc).split())
            detail = detail if len(detail) < 160 else detail[:157] + "..."
            raise InputError(f"the stored test of claim <{claim}> could not run: {detail}") from None
        evidence = []
        for fact, source, note in hits:
            a = about[(fact, source)]
            evidence.append(Evidence(fact.value, _text(a["label"]) or fact.value, source.value,
                                     _text(a["name"]) or source.value, _text(a["url"]) or None, note or None))
        reviews.append(Review(claim, _text(row["quote"]),
                              _text(row["summary"]) or claim, verdict, tuple(dict.fromkeys(evidence))))
    return reviews


def _text(term) -> str:
    """The lexical value of a solution's term, '' when unbound."""
    return term.value if term is not None else ""


def any_contradicted(reviews: list[Review]) -> bool:
    return any(r.verdict == CONTRADICTED for r in reviews)


# --- recording and printing -----------------------------------------------------------------------

def record(quads: "Quads", reviews: list[Review], base: str) -> None:
    """Write each verdict as a schema:ClaimReview (with its schema:Rating) into graph `claim-reviews`."""
    from .builder import graph_iri
    from .namespaces import GII, RDF, RDFS, SCHEMA
    from .terms import Literal

    g = quads.graph(graph_iri(base, REVIEWS_GRAPH))
    for review in reviews:
        slug = review.claim.rpartition("/")[2]
        s, rating = f"{base}id/review/{slug}", f"{base}id/rating/{slug}"
        concept, value, label = VERDICTS[review.verdict]
        g.add((s, RDF.type, SCHEMA.ClaimReview))
        g.add((s, RDFS.label, Literal(f"Review of the claim “{review.summary}”", lang="en")))
        g.add((s, SCHEMA.itemReviewed, review.claim))
        g.add((s, SCHEMA.claimReviewed, Literal(review.quote or review.summary, lang="en")))
        g.add((s, SCHEMA.url, s))
        g.add((s, SCHEMA.reviewRating, rating))
        g.add((s, GII.verdict, GII[concept]))
        g.add((s, SCHEMA.reviewBody, Literal(_body(review), lang="en")))
        for e in review.evidence:
            g.add((s, SCHEMA.isBasedOn, e.fact))
            g.add((s, SCHEMA.citation, e.source))
        g.add((rating, RDF.type, SCHEMA.Rating))
        g.add((rating, SCHEMA.alternateName, Literal(label, lang="en")))
        g.add((rating, SCHEMA.ratingValue, Literal(value)))
        g.add((rating, SCHEMA.bestRating, Literal(3)))
        g.add((rating, SCHEMA.worstRating, Literal(1)))


def _body(review: Review) -> str:
    """A one-sentence summary; the evidence itself is schema:isBasedOn, its sources schema:citation."""
    sources = len({e.source for e in review.evidence})
    return (f"{VERDICTS[review.verdict][2]}, on {len(review.evidence)} facts from {sources} sources "
            f"other than the claim's article.")


def render(reviews: list[Review]) -> str:
    """The verdicts as text: per claim, its evidence grouped by source, then a tally."""
    lines = []
    for r in reviews:
        lines.append(f"{r.verdict.upper()}: {r.summary}")
        if r.quote:
            lines.append(f"  claim: “{r.quote}” <{r.claim}>")
        if not r.evidence:
            lines.append("  evidence: none in the data")
        by_source: dict[tuple[str, str | None], list[Evidence]] = {}
        for e in r.evidence:
            by_source.setdefault((e.source_name, e.url), []).append(e)
        for (name, url), facts in by_source.items():
            lines.append(f"  source: {name}" + (f" <{url}>" if url else ""))
            lines.extend(f"    - {e.label}" + (f" [{e.note}]" if e.note else "") for e in facts)
        lines.append("")
    tally = {v: sum(r.verdict == v for r in reviews) for v in VERDICTS}
    lines.append(f"{len(reviews)} claims: " + ", ".join(f"{n} {v}" for v, n in reversed(tally.items())))
    return "\n".join(lines)
