"""`giigraph claims`, the claim tests stored in the dataset, the ClaimReviews in the export and the
competency queries on the tables. (The shapes of the statistical data and of the ClaimReviews are
tested with the other shapes, in test_shapes.py.)"""
from __future__ import annotations

import csv
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

import giigraph
from giigraph import claims
from giigraph.builder import ALL_KINDS
from giigraph.cli import main
from giigraph.errors import SourceError
from giigraph.rdfio import union
from giigraph.resources import QUERIES_DIR
from giigraph.vocab import GII, SCHEMA, data_prefixes

ID = "https://w3id.org/giigraph/id/"
CLAIMS = ["china-hosts-most-top-100-clusters", "shanghai-suzhou-rose-to-fifth",
          "three-of-top-five-in-china", "top-five-clusters-in-east-asia"]


def verdicts(reviews) -> dict[str, str]:
    return {r.claim.rsplit("/", 1)[1]: r.verdict for r in reviews}


# --- verdicts -------------------------------------------------------------------------------------

def test_every_claim_is_supported_by_the_shipped_data(dataset):
    reviews = claims.check(dataset)
    assert verdicts(reviews) == dict.fromkeys(CLAIMS, claims.SUPPORTED)
    by_claim = {r.claim.rsplit("/", 1)[1]: r for r in reviews}
    rise = by_claim["shanghai-suzhou-rose-to-fifth"]
    assert {e.url for e in rise.evidence} >= {
        "https://www.shine.cn/news/metro/2309210262/",
        "https://investinchina.chinadaily.com.cn/s/202210/27/WS635a4cba498ea274927a6c73/top-10-global-science-and-technology-clusters.html"}
    assert not any("cnipnews" in e.source for r in reviews for e in r.evidence), "the article is not its own evidence"


def test_cli_prints_verdicts_evidence_and_sources(runner):
    result = runner.invoke(main, ["claims"])
    assert result.exit_code == 0, result.output
    assert result.output.count("SUPPORTED: ") == 4
    assert "source: Global Innovation Index 2023, Appendix Table 3" in result.output
    assert "Shanghai-Suzhou, Global Innovation Index 2022: rank 6" in result.output
    assert result.output.rstrip().endswith("4 claims: 4 supported, 0 not decidable, 0 contradicted")


def _set_cell(data: Path, line: int, column: str, value: str) -> None:
    path = data / "tables" / "cluster-figures.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    table[line - 1][table[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)


def test_a_contradicting_figure_makes_the_command_fail(data_copy, runner):
    with (data_copy / "tables" / "cluster-figures.csv").open(encoding="utf-8") as handle:
        line = next(n for n, text in enumerate(handle, 1) if "shine.cn" in text)
    _set_cell(data_copy, line, "rank_change", "2")  # "up two places", against the article's 6th -> 5th
    result = runner.invoke(main, ["claims", "--data-dir", str(data_copy)])
    assert result.exit_code == 1
    assert "CONTRADICTED: The Shanghai-Suzhou cluster ranked 6th in GII 2022 and 5th in GII 2023." in result.output
    assert "rank change +2 (as stated in this edition) (Shanghai Daily (shine.cn))" in result.output
    review = URIRef(ID + "review/shanghai-suzhou-rose-to-fifth")
    assert (review, GII.verdict, GII.Contradicted) in union(giigraph.build(data_dir=data_copy))


def test_without_the_tables_only_the_articles_own_words_remain_so_nothing_is_decidable(data_copy, runner):
    for path in (data_copy / "tables").glob("*.csv"):
        path.unlink()
    assert verdicts(claims.check(giigraph.build(data_dir=data_copy))) == dict.fromkeys(CLAIMS, claims.NOT_DECIDABLE)
    result = runner.invoke(main, ["claims", "--data-dir", str(data_copy)])
    assert result.exit_code == 0 and "NOT DECIDABLE: " in result.output and "evidence: none in the data" in result.output


def test_without_counts_china_most_clusters_is_not_decidable(data_copy):
    (data_copy / "tables" / "clusters-per-economy.csv").write_text("edition,economy,clusters,source\n", encoding="utf-8")
    assert verdicts(claims.check(giigraph.build(data_dir=data_copy)))["china-hosts-most-top-100-clusters"] == claims.NOT_DECIDABLE


def test_stored_tests_give_the_same_verdicts_on_rdflib(dataset, graph):
    """The tests are stored as standalone SPARQL: they run as they are on another engine."""
    expected = verdicts(claims.check(dataset))
    for claim in graph.subjects(GII.supportTest, None):
        contradicted = graph.query(str(graph.value(claim, GII.contradictionTest))).askAnswer
        supported = graph.query(str(graph.value(claim, GII.supportTest))).askAnswer
        verdict = claims.CONTRADICTED if contradicted else claims.SUPPORTED if supported else claims.NOT_DECIDABLE
        assert verdict == expected[str(claim).rsplit("/", 1)[1]]
        assert str(graph.value(claim, GII.evidenceQuery)).startswith("PREFIX ")


def test_claim_test_with_a_syntax_error_names_file_and_line(data_copy):
    path = data_copy / "curated" / "claim-tests.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("FILTER(?r <= 5)\n        FILTER NOT EXISTS { claim:top-five-clusters-in-east-asia schema:appearance ?src }\n        ?c gii:economy ?e .",
                                 "FILTER(?r <= 5\n        FILTER NOT EXISTS { claim:top-five-clusters-in-east-asia schema:appearance ?src }\n        ?c gii:economy ?e .", 1),
                    encoding="utf-8")
    with pytest.raises(SourceError, match=r"claim-tests\.yaml:\d+: field 'contradicted_if': SPARQL syntax error"):
        giigraph.build(data_dir=data_copy)


def test_claims_on_an_export_and_on_data_without_claims(runner, tmp_path, dataset):
    export = tmp_path / "giigraph.trig"
    export.write_bytes(giigraph.serialize(dataset, "trig"))
    result = runner.invoke(main, ["claims", str(export)])
    assert result.exit_code == 0 and result.output.count("SUPPORTED: ") == 4
    empty = tmp_path / "empty.ttl"
    empty.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    result = runner.invoke(main, ["claims", str(empty)])
    assert result.exit_code == 2 and "no checkable claim" in result.stderr


# --- ClaimReviews in the export -------------------------------------------------------------------

def test_verdicts_are_claim_reviews_in_the_jsonld_export(dataset):
    doc = json.loads(giigraph.serialize(dataset, "jsonld"))
    reviews = [n for n in doc["@graph"] if "ClaimReview" in (n["@type"] if isinstance(n["@type"], list) else [n["@type"]])]
    assert len(reviews) == 4
    graph = union(dataset)
    for review in graph.subjects(RDF.type, SCHEMA.ClaimReview):
        claim = graph.value(review, SCHEMA.itemReviewed)
        assert (claim, RDF.type, GII.CheckableClaim) in graph
        rating = graph.value(review, SCHEMA.reviewRating)
        assert str(graph.value(rating, SCHEMA.alternateName)) == "Supported by the data"
        assert int(graph.value(rating, SCHEMA.ratingValue)) == 3
        assert graph.value(review, SCHEMA.url) == review and graph.value(review, SCHEMA.claimReviewed)
        assert list(graph.objects(review, SCHEMA.isBasedOn)) and list(graph.objects(review, SCHEMA.citation))


# --- competency queries on the tables: checked answers, identical on rdflib and Oxigraph ----------

def _plain(term) -> str | None:
    """A solution's value as text, numbers in one form (engines write 1.0 and 1 for the same decimal)."""
    if term is None:
        return None
    text = term.rsplit("/", 1)[-1]
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return str(number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize())


def _rows(graph, name: str) -> list[tuple]:
    text = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
    prefixes = data_prefixes("https://w3id.org/giigraph/", ALL_KINDS)
    on_rdflib = [tuple(_plain(None if v is None else str(v)) for v in row) for row in graph.query(text, initNs=prefixes)]
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    solutions = store.query(text, prefixes=prefixes)
    on_oxigraph = [tuple(_plain(None if s[v] is None else s[v].value) for v in solutions.variables) for s in solutions]
    assert on_rdflib == on_oxigraph, name
    return on_rdflib


def test_every_table_query_starts_with_its_question():
    for name in ("top-10-clusters-by-publications-2023", "biggest-risers-2023", "clusters-per-economy-2023",
                 "previous-rank-vs-published-2022", "stated-rank-change-vs-published-2022"):
        first = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and first.endswith("?")


def test_top_10_by_publications(graph):
    rows = _rows(graph, "top-10-clusters-by-publications-2023")
    assert [(r[0], int(r[2])) for r in rows] == [
        ("beijing", 279485), ("shanghai-suzhou", 162635), ("shenzhen-hong-kong-guangzhou", 153180),
        ("seoul", 133604), ("tokyo-yokohama", 115020), ("nanjing", 113488), ("wuhan", 89756), ("xian", 86937),
        ("boston-cambridge", 76378), ("washington-baltimore", 76039)]
    assert {r[4] for r in rows} == {"gii-2023-appendix-table-3"}


def test_biggest_risers_by_the_printed_previous_rank(graph):
    rows = _rows(graph, "biggest-risers-2023")
    assert [(r[0], int(r[4])) for r in rows[:3]] == [("qingdao", 6), ("chengdu", 3), ("san-diego", 2)]
    assert len(rows) == 12 and all(int(r[4]) >= 1 for r in rows)


def test_clusters_per_economy(graph):
    rows = _rows(graph, "clusters-per-economy-2023")
    assert [(r[0], int(r[2]), int(r[3])) for r in rows[:4]] == [
        ("china", 24, 8), ("united-states-of-america", 21, 8), ("germany", 9, 4), ("canada", 4, 2)]
    assert len(rows) == 14 and len({r[0] for r in rows}) == 14  # no economy with disagreeing sources


def test_previous_rank_differs_from_published_2022(graph):
    rows = _rows(graph, "previous-rank-vs-published-2022")
    assert [(r[0], int(r[2]), int(r[4]), r[5]) for r in rows] == [
        ("nanjing", 12, 13, "ccpitjs-nanjing-2022"), ("nagoya", 13, 12, "wipo-japan-gii-2022-clusters"),
        ("chengdu", 27, 29, "daydaynews-chengdu-2022"), ("chicago", 30, 27, "daydaynews-chengdu-2022"),
        ("tel-aviv-jerusalem", 31, 30, "daydaynews-chengdu-2022"), ("singapore", 35, 33, "daydaynews-chengdu-2022")]


def test_stated_rank_change_against_published_2022(graph):
    rows = _rows(graph, "stated-rank-change-vs-published-2022")
    assert ("sao-paulo", "72", "-2", "70", "telesintese-sao-paulo-2023", "71", "valor-sao-paulo-2022") in {
        (r[0], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}
    assert len(rows) == 7


_CLAIM = "<https://example.org/c>"
_GII = "https://w3id.org/giigraph/ontology#"


def _stored(contradiction: str, support: str = '"ASK {}"', evidence: str = '"SELECT ?evidence ?source {}"') -> str:
    return "".join(f"{_CLAIM} <{_GII}{p}> {o} .\n" for p, o in (
        ("contradictionTest", contradiction), ("supportTest", support), ("evidenceQuery", evidence)))


@pytest.mark.parametrize("name, content, message", [
    ("an IRI", _stored("<http://example.org/x>"), "is <http://example.org/x>, not a literal holding a SPARQL query"),
    ("a SELECT", _stored('"SELECT * {}"'), "must be a SPARQL ASK query, not SELECT"),
    ("a DESCRIBE", _stored('"DESCRIBE <x:y>"'), "must be a SPARQL ASK query, not CONSTRUCT/DESCRIBE"),
    ("a syntax error", _stored('"ASK {"'), "could not run: error at 1:6: expected one of"),
    ("an update", _stored('"CLEAR ALL"'), "is a SPARQL Update (CLEAR)"),
    ("evidence that is no IRI", _stored('"ASK {FILTER(false)}"', evidence='"SELECT (1 AS ?evidence) (2 AS ?source) {}"'),
     "must bind ?evidence and ?source to IRIs in every row"),
    ("no claim at all", "", "the data has no checkable claim"),
    ("not RDF", "<a> <b>", "claims.nq"),
])
def test_claims_file_of_any_kind_ends_in_one_line(runner, tmp_path, name, content, message):
    path = tmp_path / "claims.nq"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(main, ["claims", str(path)])
    assert result.exit_code == 2, (name, result.output)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, (name, result.stderr)
    assert message in result.stderr, (name, result.stderr)
