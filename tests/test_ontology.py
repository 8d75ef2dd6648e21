"""The ontology: matches vocab.GII both ways, documents every term, is OWL 2 DL, and HermiT finds it
(and the built data under it) consistent, with no unsatisfiable class. The negative tests prove the
reasoner and the profile checker really run: a planted contradiction must be reported."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import owlready2
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, QB, RDF, RDFS, SKOS, VANN

from conftest import require_tool
from giigraph.resources import ONTOLOGY_FILE
from giigraph.vocab import GII, ONTOLOGY_IRI, PREFIXES, SCHEMA, SDMX_ATTRIBUTE, SDMX_DIMENSION

ONTOLOGY = URIRef(ONTOLOGY_IRI)
NS = str(GII._NS)
TERMS = set(dir(GII))
DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual}
PROFILE_CHECKER = Path(__file__).parent / "owl" / "OwlDlProfile.java"
EXAMPLE = "https://example.org/"


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def ours(g: Graph) -> set[URIRef]:
    return {t for triple in g for t in triple if isinstance(t, URIRef) and t.startswith(NS)}


def of_kind(g: Graph, *kinds: URIRef) -> set[URIRef]:
    return {s for kind in kinds for s in g.subjects(RDF.type, kind) if s in TERMS}


def texts(g: Graph, s: URIRef, p: URIRef) -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = {}
    for o in g.objects(s, p):
        by_lang.setdefault(o.language, []).append(str(o))
    return by_lang


# --- vocab.GII and the ontology declare the same terms --------------------------------------------

def test_every_vocab_term_is_declared_in_the_ontology(onto):
    undeclared = {t for t in TERMS if not DECLARATIONS & set(onto.objects(t, RDF.type))}
    assert not undeclared, f"in vocab.GII but not declared in {ONTOLOGY_FILE.name}: {sorted(undeclared)}"


def test_every_ontology_term_is_in_vocab(onto):
    """Every gii: IRI the ontology mentions is a vocab term, or a component of the Data Cube structure."""
    components = {c for dsd in onto.subjects(RDF.type, QB.DataStructureDefinition) for c in onto.objects(dsd, QB.component)}
    assert components and all((c, RDF.type, QB.ComponentSpecification) in onto for c in components)
    unknown = ours(onto) - TERMS - components
    assert not unknown, f"declared in the ontology but missing from vocab.GII: {sorted(unknown)}"


def test_data_uses_only_ontology_terms(graph, onto):
    """The data names vocab terms and the Data Cube structures copied from the ontology, nothing else."""
    assert ours(graph) <= TERMS | set(onto.subjects(RDF.type, QB.ComponentSpecification))


def test_no_blank_nodes(onto):
    assert not [t for t in onto if any(isinstance(x, BNode) for x in t)]


# --- header and documentation ---------------------------------------------------------------------

def test_header(onto):
    assert set(onto.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY}
    (version_iri,) = onto.objects(ONTOLOGY, OWL.versionIRI)
    (version,) = onto.objects(ONTOLOGY, OWL.versionInfo)
    assert version_iri == URIRef(f"{ONTOLOGY_IRI}/{version}")
    assert set(onto.objects(ONTOLOGY, DCTERMS.license)) == {URIRef("https://creativecommons.org/licenses/by/4.0/")}
    (created,) = onto.objects(ONTOLOGY, DCTERMS.created)
    (modified,) = onto.objects(ONTOLOGY, DCTERMS.modified)
    assert created.datatype == modified.datatype == URIRef(PREFIXES["xsd"] + "date") and created.value <= modified.value
    assert set(texts(onto, ONTOLOGY, DCTERMS.title)) >= {"en", "zh"}
    assert set(texts(onto, ONTOLOGY, DCTERMS.description)) >= {"en", "zh"}
    assert list(onto.objects(ONTOLOGY, DCTERMS.creator))
    assert set(onto.objects(ONTOLOGY, VANN.preferredNamespacePrefix)) == {Literal("gii")}
    assert set(onto.objects(ONTOLOGY, VANN.preferredNamespaceUri)) == {Literal(NS)}
    assert PREFIXES["gii"] == NS == ONTOLOGY_IRI + "#"


@pytest.mark.parametrize("term", sorted(TERMS), ids=lambda t: t.removeprefix(NS))
def test_term_has_labels_and_definitions_in_english_and_chinese(onto, term):
    for p in (RDFS.label, SKOS.definition):
        by_lang = texts(onto, term, p)
        assert set(by_lang) >= {"en", "zh"}, f"{term} {p}: languages {sorted(map(str, by_lang))}"
        assert all(len(by_lang[lang]) == 1 for lang in ("en", "zh")), f"{term} {p}: more than one per language"
    assert list(onto.objects(term, RDFS.isDefinedBy)) == [ONTOLOGY]


def test_classes_are_aligned_to_standard_classes(onto):
    for cls in of_kind(onto, OWL.Class):
        assert [c for c in onto.objects(cls, RDFS.subClassOf) if not c.startswith(NS)], f"{cls}: no standard superclass"


def test_properties_without_standard_superproperty_say_why(onto):
    for prop in of_kind(onto, OWL.ObjectProperty, OWL.DatatypeProperty):
        aligned = [p for p in onto.objects(prop, RDFS.subPropertyOf) if not p.startswith(NS)]
        assert aligned or list(onto.objects(prop, RDFS.comment)), f"{prop}: neither a standard superproperty nor a comment"


# --- SKOS schemes and the Data Cube structure, as the data uses them -------------------------------

@pytest.mark.parametrize("scheme, prop", [(GII.SpeechModeScheme, GII.speechMode),
                                          (GII.IndicatorScheme, GII.indicator),
                                          (GII.VerdictScheme, GII.verdict)])
def test_concept_scheme_is_complete_and_the_data_uses_its_concepts(onto, graph, scheme, prop):
    top = set(onto.objects(scheme, SKOS.hasTopConcept))
    assert top == set(onto.subjects(SKOS.topConceptOf, scheme)) == set(onto.subjects(SKOS.inScheme, scheme))
    assert all((c, RDF.type, SKOS.Concept) in onto for c in top)
    used = set(graph.objects(None, prop))
    assert used and used <= top


CLUSTER_DIMENSIONS = {GII.cluster, GII.edition, QB.measureType}
#: One measure per structure: a source gives some figures of a cluster and not others, and Data Cube IC-17
#: wants every measure of a measure-dimension structure at every point (test_standards_cube.py runs it).
STRUCTURES = {
    **{dsd: (GII.RankObservation, CLUSTER_DIMENSIONS, {measure}) for dsd, measure in [
        (GII.ClusterRankStructure, GII.rank), (GII.ClusterRankUpperBoundStructure, GII.rankUpperBound),
        (GII.ClusterPreviousRankStructure, GII.previousRank), (GII.ClusterRankChangeStructure, GII.rankChange),
        (GII.ClusterPctApplicationsStructure, GII.pctApplications), (GII.ClusterPctShareStructure, GII.pctShare),
        (GII.ClusterPublicationsStructure, GII.scientificPublications),
        (GII.ClusterPublicationShareStructure, GII.publicationShare),
        (GII.ClusterTotalShareStructure, GII.totalShare)]},
    GII.EconomyClusterCountStructure: (GII.EconomyCountObservation,
                                       {SDMX_DIMENSION.refArea, GII.edition, QB.measureType}, {GII.clusterCount}),
}


@pytest.mark.parametrize("dsd", STRUCTURES, ids=lambda t: t.removeprefix(NS))
def test_data_structure_fits_the_observations(onto, graph, dsd):
    kind, expected_dimensions, expected_measures = STRUCTURES[dsd]
    components = list(onto.objects(dsd, QB.component))
    dimensions = {onto.value(c, QB.dimension) for c in components} - {None}
    measures = {onto.value(c, QB.measure) for c in components} - {None}
    attributes = {onto.value(c, QB.attribute) for c in components} - {None}
    assert dimensions == expected_dimensions
    assert measures == expected_measures
    assert attributes == {SDMX_ATTRIBUTE.unitMeasure, DCTERMS.source}
    assert all((d, RDF.type, QB.DimensionProperty) in onto for d in dimensions - {QB.measureType})
    assert all((m, RDF.type, QB.MeasureProperty) in onto for m in measures)
    assert set(graph.objects(None, QB.structure)) == set(STRUCTURES)
    observations = {o for o in graph.subjects(RDF.type, kind) if (graph.value(o, QB.dataSet), QB.structure, dsd) in graph}
    assert observations
    for obs in observations:
        assert all(graph.value(obs, d) is not None for d in dimensions | attributes), obs
        (measure,) = measures
        assert graph.value(obs, QB.measureType) == measure and graph.value(obs, measure) is not None, obs


def test_order_of_dimensions_is_an_xsd_integer(onto, graph):
    """qb:order is written `1` (xsd:integer), as the Data Cube examples write it; its value is in the
    range xsd:int. Oxigraph's store would rewrite "1"^^xsd:int as "1"^^xsd:integer, so SHACL-SPARQL
    and queries would see another term (shacl.sparql.kept_as_written)."""
    orders = list(onto.objects(None, QB.order))
    assert orders and all(o.datatype == URIRef(PREFIXES["xsd"] + "integer") for o in orders)
    assert {o for o in graph.objects(None, QB.order)} == set(orders)


# --- a real OWL reasoner (HermiT) and the OWL 2 DL profile -----------------------------------------

def java() -> str:
    return require_tool(shutil.which(owlready2.JAVA_EXE), "java (a JDK 11+ runs HermiT and the OWL API)")


def reason(g: Graph, tmp_path: Path) -> owlready2.World:
    """HermiT over the graph, in a fresh world; raises OwlReadyInconsistentOntologyError if inconsistent."""
    java()
    path = tmp_path / "reasoned.nt"
    path.write_bytes(g.serialize(format="nt", encoding="utf-8"))
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    return world


def unsatisfiable(world: owlready2.World) -> set[str]:
    return {c.iri for c in world.inconsistent_classes()} - {str(OWL.Nothing)}


def combine(*graphs: Graph, turtle: str = "") -> Graph:
    """A new graph: the given graphs plus some Turtle (prefixes gii:, schema:, owl:, ex: bound)."""
    out = Graph()
    for g in graphs:
        for t in g:
            out.add(t)
    return out.parse(data=f"@prefix gii: <{NS}> . @prefix schema: <{SCHEMA._NS}> . "
                          f"@prefix owl: <{OWL}> . @prefix ex: <{EXAMPLE}> . {turtle}", format="turtle")


def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class(onto, tmp_path):
    world = reason(onto, tmp_path)
    assert world[str(GII.Cluster)] is not None  # the reasoner's world really holds our classes
    assert list(world.inconsistent_classes()) == []


def test_hermit_finds_the_built_data_consistent_with_the_ontology(onto, graph, tmp_path):
    world = reason(combine(onto, graph), tmp_path)
    assert list(world.inconsistent_classes()) == []


STANDARDS = Path(__file__).parent / "standards" / "owl"
#: The standard ontologies the data uses, as W3C publishes them (tests/standards/README.md: origin, licences).
IMPORTED = {"PROV-O": "prov-o.ttl", "ORG": "org.ttl", "SKOS": "skos.ttl", "Data Cube": "cube.ttl"}


@pytest.fixture(scope="module")
def standards() -> Graph:
    """The four ontologies, less their RDFS meta-modelling, which OWL 2 DL has no place for.

    Data Cube and SKOS also say `qb:ComponentProperty rdfs:subClassOf rdf:Property`, `skos:memberList
    rdfs:range rdf:List`, `x a rdf:Property`: classes of properties and RDF's own classes, which a DL
    reasoner cannot load (owlready2 stops on them). PROV-O also declares `prov:wasRevisionOf` and
    `prov:specializationOf` both object and annotation properties, which OWL 2 DL forbids: owlready2
    then keeps one of the two types depending on load order, and as an annotation property
    `prov:wasRevisionOf` would lose the PROV-O axioms the negative test relies on. Those triples are
    dropped, and only those: every class, property, domain, range and disjointness the ontologies state
    in OWL stays.
    """
    g = Graph()
    for name in IMPORTED.values():
        g.parse(STANDARDS / name, format="turtle")
    meta = (str(RDF), str(RDFS))
    for s, p, o in list(g):
        if (p in (RDFS.subClassOf, RDFS.domain, RDFS.range) and str(o).startswith(meta) and o != RDFS.Literal) \
                or (p == RDF.type and o in (RDF.Property, RDFS.Class)) \
                or (p == RDF.type and o == OWL.AnnotationProperty and (s, RDF.type, OWL.ObjectProperty) in g):
            g.remove((s, p, o))
    return g


def test_the_standard_ontologies_are_the_published_ones(standards):
    for iri in ("http://www.w3.org/ns/prov-o#", "http://www.w3.org/ns/org#", "http://purl.org/linked-data/cube"):
        assert (URIRef(iri), RDF.type, OWL.Ontology) in standards, iri
    assert (URIRef(PREFIXES["prov"] + "Activity"), OWL.disjointWith, URIRef(PREFIXES["prov"] + "Entity")) in standards
    assert (SKOS.Concept, RDF.type, OWL.Class) in standards
    punned = {s for s in standards.subjects(RDF.type, OWL.AnnotationProperty) if (s, RDF.type, OWL.ObjectProperty) in standards}
    assert not punned  # each property has one kind, so the reasoner's world does not depend on load order


def test_hermit_finds_the_built_data_consistent_with_prov_org_skos_and_data_cube(onto, graph, standards, tmp_path):
    """OWL 2 reasoning with PROV-O, ORG, SKOS and the Data Cube vocabulary loaded, as a consumer would."""
    world = reason(combine(onto, standards, graph), tmp_path)
    assert world[PREFIXES["prov"] + "Activity"] is not None  # PROV-O really is in the reasoner's world
    assert list(world.inconsistent_classes()) == []


@pytest.mark.parametrize("contradiction", [
    # an event is a prov:Activity; prov:wasDerivedFrom makes it a prov:Entity, which PROV-O says it cannot be
    "ex:meeting a schema:Event, <http://www.w3.org/ns/prov#Activity> ; "
    "<http://www.w3.org/ns/prov#wasDerivedFrom> ex:passage .",
    # SKOS: a concept scheme is never a concept
    "ex:scheme a <http://www.w3.org/2004/02/skos/core#ConceptScheme>, <http://www.w3.org/2004/02/skos/core#Concept> .",
], ids=["prov-activity-derived-from", "skos-scheme-and-concept"])
def test_hermit_with_the_standards_reports_a_planted_inconsistency(onto, graph, standards, tmp_path, contradiction):
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(combine(onto, standards, graph, turtle=contradiction), tmp_path)


def test_hermit_reports_a_planted_unsatisfiable_class(onto, tmp_path):
    world = reason(combine(onto, turtle="gii:Cluster owl:disjointWith schema:Place ."), tmp_path)
    assert unsatisfiable(world) == {str(GII.Cluster)}


@pytest.mark.parametrize("contradiction", [
    "gii:Cluster owl:disjointWith schema:Place . ex:somewhere a owl:NamedIndividual, gii:Cluster .",
    'ex:observation gii:rank "fifth" .',  # outside the range xsd:integer
], ids=["disjoint-classes", "datatype-range"])
def test_hermit_reports_a_planted_inconsistency(onto, graph, tmp_path, contradiction):
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(combine(onto, graph, turtle=contradiction), tmp_path)


def dl_profile(path: Path) -> subprocess.CompletedProcess:
    hermit = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"  # bundles the OWL API
    return subprocess.run([java(), "-cp", str(hermit), str(PROFILE_CHECKER), str(path)],
                          capture_output=True, text=True, timeout=120)


def test_ontology_is_in_the_owl2_dl_profile():
    result = dl_profile(ONTOLOGY_FILE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "axioms:" in result.stdout


def test_profile_check_reports_an_undeclared_external_class(onto, tmp_path):
    broken = tmp_path / "broken.ttl"
    combine(onto).remove((SCHEMA.Place, RDF.type, OWL.Class)).serialize(broken, format="turtle")
    result = dl_profile(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Use of undeclared class: <{SCHEMA.Place}>" in result.stdout
