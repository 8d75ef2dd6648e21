"""The published dump folder: every format, the JSON-LD context, a VoID/DCAT description, and charts.

The folder is written beside its destination and swapped in at the end, so a reader never sees a
half-written `dist/`, and a failure leaves the previous one as it was.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import catalog, formats, jsonld
from .apart import apart, in_thread
from .builder import ALL_KINDS
from .catalog import IANA
from .charts import CHARTS_DIR, write_charts
from .gcpause import frozen
from .jsonld import analysis, context_document
from .namespaces import (
    CC, DATA_LICENSE, DCAT, DCTERMS, FOAF, GEONAMES, GII, ONTOLOGY_IRI, OWL, PREFIXES, PROV, RDF, RDFS, SCHEMA,
    SPDX, VOID, WIKIDATA, XSD, data_prefixes,
)
from .quads import Index, Quads, index
from .rebuild import Tally
from .rdfio import chunks, write_rdfxml, write_stream
from .splice import spliced
from .terms import Literal, Term, Triple
from .turtle import turtle
from .xmlsplice import spliced_rdfxml

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event

    from .rebuild import Rebuild

CONTEXT_FILE = "context.jsonld"
VOID_FILE = "void.ttl"
TITLE = "giigraph: the WIPO Global Innovation Index 2023 S&T cluster ranking, as reported by China IP News"
DESCRIPTION = (
    "Facts, short attributed quotations and paragraph-level provenance from a China IP News report "
    "(2023-10-08) on the WIPO GII 2023 science and technology cluster ranking: clusters, places, "
    "organizations, people and their posts, statements, ranks and the article's checkable claims.")
DCAT_VERSION = DCAT.version  # DCAT 3
#: From this many quads on (about 16 MB of N-Triples), dumps are written by forked copies of this process
#: beside its own work (below it, starting one costs more)
APART_QUADS = 80_000


@dataclass(frozen=True)
class LinkTarget:
    """A dataset of the Linked Open Data cloud that our resources link into (VoID linksets)."""

    slug: str
    iri: str
    title: str
    description: str
    uri_space: str
    license: str
    #: We also publish data read in it (GeoNames' coordinates), so it is a source to credit.
    source: bool = False


LINK_TARGETS = (
    LinkTarget("geonames", "https://www.geonames.org/", "GeoNames",
               "The GeoNames geographical database: features with their names, coordinates and containment.",
               GEONAMES, DATA_LICENSE, source=True),
    LinkTarget("wikidata", "https://www.wikidata.org/", "Wikidata",
               "Wikidata, the free knowledge base of the Wikimedia projects.",
               str(WIKIDATA), "https://creativecommons.org/publicdomain/zero/1.0/"),
)


@dataclass(frozen=True)
class Dump:
    fmt: formats.RdfFormat
    size: int
    sha256: str


def dataset_iri(base: str) -> str:
    return f"{base}dataset"


def dump_iri(base: str, filename: str) -> str:
    return f"{base}dumps/{filename}"


def write_dist(dataset: Quads, out: Path, base: str, version: str,
               check: Callable[[Quads], None] | None = None, rebuild: "Rebuild | None" = None,
               keep: Callable[[object], object] | None = None) -> list[Path]:
    """Write every dump, the context, the VoID/DCAT description and the charts (`charts/*.svg`) into `out`, atomically.

    Each dump streams to disk as it is serialised; its size and checksum are taken on the way. For
    big data, work is split between two processes (Python writers hold the GIL, so a second core takes
    them only as a second process): a forked copy writes N-Quads and N-Triples while this one indexes
    the data by subject and runs `check` (validation; raising leaves `out` as it was); the store of
    the union (SHACL-SPARQL, the charts) then loads from the N-Triples file in a thread, and a small
    spawned process writes RDF/XML from it (`_sorted_dumps`). Another forked copy then writes Turtle
    and TriG while this one writes JSON-LD and counts the description's statistics (`_write_beside`);
    when every dump is spliced (a rebuild that follows the change), that copy writes JSON-LD too, from
    before validation on.
    What the data cannot be written as is the error raised, even if validation failed meanwhile.
    With `rebuild` (the build cache's link to the previous build into `out`, its `Change` worked out),
    the union's store is the previous one patched, every dump is spliced from the previous build's
    file (`splice`, `turtlesplice`, `jsonld.spliced`, `xmlsplice`), the JSON-LD context is worked out
    from the change, and this build is recorded for the next.
    `keep` is given the previous build's patched store once the dumps are written (the `giigraph`
    program ends without freeing it: half a second at a million triples, else spent on returning).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    big = len(dataset) >= APART_QUADS
    started: list[Future] = []  # writers apart from this process, which write in staging/
    store = rebuild.union_store() if rebuild is not None else None
    if store is not None:
        dataset.use_union_store(store)
    try:
        # forked before the index is made (so the copy does not hold it), which validation, Turtle,
        # JSON-LD and the description read
        with frozen(lambda: started.append(_sorted_dumps(dataset, staging, big, store is None, rebuild)),
                    dataset.by_subject):
            # following the change, every dump is spliced (a fraction of writing it): the forked copy
            # writes JSON-LD, Turtle and TriG from now on, beside validation and the charts
            early = big and store is not None
            if early:
                started.append(_write_beside(dataset, staging, ("jsonld", "turtle", "trig"), big, rebuild))
            if check is not None:
                check(dataset)
            drawn = write_charts(dataset.union_store(), data_prefixes(base, ALL_KINDS), staging / CHARTS_DIR,
                                 rebuild.left("charts") if rebuild is not None else None)  # type: ignore[arg-type]
            if rebuild is not None:
                rebuild.leave("charts", drawn)
            dataset.forget("union_store", "union")  # the writers left read the index by subject and the graphs
            _release_freed_memory()
            # RDF/XML may still be written
            if not early:
                started.append(_write_beside(dataset, staging, ("turtle", "trig"), big, rebuild))
            analysed = analysis(dataset, rebuild)  # from the previous build's counts and the change, where it can
            dumps = {} if early else {"jsonld": _write(dataset, staging, "jsonld", rebuild)}
            (staging / CONTEXT_FILE).write_bytes(context_document(dataset.by_subject(), analysed))
            _statistics(dataset, rebuild)  # while Turtle and TriG are written
            if rebuild is not None:
                rebuild.note(dataset)
            for writers in started:
                dumps.update(writers.result())
            void = describe(dataset, [dumps[fmt.name] for fmt in formats.FORMATS], base, version)
            (staging / VOID_FILE).write_bytes("".join(turtle(index(void), PREFIXES)).encode("utf-8"))
            removing = _swap(staging, out)
        try:  # beside the removal of the previous folder
            if rebuild is not None:
                rebuild.finish(dataset, {d.fmt.filename: (d.size, d.sha256) for d in dumps.values()})
            if keep is not None and store is not None:
                keep(store)
        finally:
            if removing is not None:
                removing.result()
    except BaseException as exc:
        wait(started)  # their processes write in staging/: done first
        shutil.rmtree(staging, ignore_errors=True)
        unwritable = started[0].exception() if started else None
        if unwritable is not None and unwritable is not exc:  # what the data cannot be written as comes first,
            raise unwritable from None                        # as when the sorted dumps were written here
        raise
    return sorted(p for p in out.rglob("*") if p.is_file())


def _write(dataset: Quads, staging: Path, name: str, rebuild: "Rebuild | None" = None) -> Dump:
    """One dump into the staging folder; N-Quads, N-Triples and JSON-LD spliced from the previous build's
    files where `rebuild` allows it."""
    fmt = formats.get(name)
    path = staging / fmt.filename
    written = jsonld.spliced(dataset, path, rebuild) if name == "jsonld" else spliced(dataset, name, path, rebuild)
    if written is None:
        if name == "nt":
            dataset.nq_lines()  # N-Triples are cut from the sorted N-Quads lines, even when written first
        written = write_stream(path, chunks(dataset, name, rebuild))
    return Dump(fmt, *written)


def _release_freed_memory() -> None:
    """Hand the heap memory freed so far back to the system, where the C library can (glibc's
    `malloc_trim`): the store of the union frees hundreds of MB that would otherwise stay in this
    process, and be copied into a forked writer as soon as either process reuses it."""
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # another C library: the memory stays until reused
        pass


def _sorted_dumps(dataset: Quads, staging: Path, big: bool, load_store: bool,
                  rebuild: "Rebuild | None") -> "Future[dict[str, Dump]]":
    """N-Quads and N-Triples, then RDF/XML streamed from the N-Triples file; with `load_store`, the store
    of the union starts loading from that file, in a thread, once it is complete. For `big` data (where Linux
    allows it) RDF/XML is written by a small spawned process (unless spliced from the previous build's
    file, `xmlsplice`), and the first two by a forked copy of
    this process, which ends then (its copy of the data and the sorted lines go with it), N-Triples
    first, so that the store starts loading while N-Quads are written; a thread waits for them. The
    future gives the dumps, or raises what writing them raised."""
    import multiprocessing
    from concurrent.futures import ThreadPoolExecutor

    nt_file = staging / formats.get("nt").filename
    if not big or "fork" not in multiprocessing.get_all_start_methods():
        return apart(_write_sorted, dataset, staging, load_store, rebuild, start=None)
    nt_written = multiprocessing.get_context("fork").Event()
    written = _forked(dataset, staging, ("nt", "nquads"), nt_written, rebuild)
    if load_store:
        dataset.load_union_store(nt_file, lambda: _first_written(nt_written, written))
    if rebuild is not None:
        rebuild.make_store(nt_file, lambda: _first_written(nt_written, written))

    def then_xml() -> dict[str, Dump]:
        dumps = written.result()
        dumps["xml"] = _xml(dataset, staging, rebuild, "spawn")
        return dumps
    threads = ThreadPoolExecutor(1, thread_name_prefix="giigraph-xml")
    try:
        return threads.submit(then_xml)
    finally:
        threads.shutdown(wait=False)


def _write_sorted(dataset: Quads, staging: Path, load_store: bool, rebuild: "Rebuild | None") -> dict[str, Dump]:
    """N-Quads, N-Triples and RDF/XML written here, the store of the union loading from the N-Triples
    (with `load_store`)."""
    nt_file = staging / formats.get("nt").filename
    dumps = _write_all(dataset, staging, ("nquads", "nt"), rebuild)
    dataset.forget("nq")  # 1M lines: the store and RDF/XML read the N-Triples file instead
    if load_store:
        dataset.load_union_store(nt_file)
    if rebuild is not None:
        rebuild.make_store(nt_file)
    dumps["xml"] = _xml(dataset, staging, rebuild, None)
    return dumps


def _xml(dataset: Quads, staging: Path, rebuild: "Rebuild | None", start: str | None) -> Dump:
    """RDF/XML, from the N-Triples dump written in `staging`: spliced from the previous build's file
    where `rebuild` allows it (`xmlsplice`), else written in full (by a process started with `start`,
    or here)."""
    nt_file, path = staging / formats.get("nt").filename, staging / formats.get("xml").filename
    written = spliced_rdfxml(rebuild, nt_file, path, dataset.prefixes)
    if written is None:
        written = apart(write_rdfxml, nt_file, path, dataset.prefixes, start=start).result()
    return Dump(formats.get("xml"), *written)


#: The dataset and staging folder a forked writer reads from its copy of this process's memory, the
#: event it sets once its first dump is written, if any, and the rebuild it splices dumps for, if any
#: (set only while it forks: nothing is pickled).
_FORKED: "tuple[Quads, Path, Event | None, Rebuild | None] | None" = None


def _write_beside(dataset: Quads, staging: Path, names: tuple[str, ...], big: bool,
                  rebuild: "Rebuild | None" = None) -> "Future[dict[str, Dump]]":
    """Write dumps in a forked copy of this process (for `big` data, where Linux allows it), beside
    this process's own work: Python writers hold the GIL, so a second core takes them only as a second
    process. The copy shares the dataset's pages until it touches them (the dataset is frozen out of
    cycle collections, `frozen`), so it costs far less memory than a second dataset. The future gives
    the dumps, or raises what writing them raised."""
    import multiprocessing

    if not big or "fork" not in multiprocessing.get_all_start_methods():
        done = apart(_write_all, dataset, staging, names, rebuild, start=None)
        dataset.forget("turtle names", "turtle splice")  # Turtle's and TriG's, no longer needed
        return done
    return _forked(dataset, staging, names, rebuild=rebuild)


def _forked(dataset: Quads, staging: Path, names: tuple[str, ...], first_written: "Event | None" = None,
            rebuild: "Rebuild | None" = None) -> "Future[dict[str, Dump]]":
    """The dumps `names` written by a forked copy of this process, in that order; `first_written` (an
    event of the fork context) is set once the first is complete. What the copy used of the build
    cache is counted as used here when it is done (the cache lists it in this build's manifest), and
    what its writers left for the next build (`Rebuild.leave`) is left here."""
    global _FORKED
    _FORKED = (dataset, staging, first_written, rebuild)
    try:
        copy = apart(_write_forked, names, start="fork")
    finally:
        _FORKED = None
    done: Future = Future()

    def back(copy: Future) -> None:
        try:
            dumps, used, leaving = copy.result()
            dataset.kept_use(used)
            if rebuild is not None:
                rebuild.leaving.update(leaving)
            done.set_result(dumps)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the dumps
            done.set_exception(exc)
    copy.add_done_callback(back)
    return done


def _write_forked(names: tuple[str, ...]) -> tuple[dict[str, Dump], object, dict[str, object]]:
    """The dumps, what the copy asked of the build cache, and what its writers left for the next build."""
    dataset, staging, first_written, rebuild = _FORKED  # type: ignore[misc]
    dumps = {}
    for name in names:
        dumps[name] = _write(dataset, staging, name, rebuild)
        if first_written is not None:
            first_written.set()
            first_written = None
    return dumps, dataset.kept_used(), rebuild.leaving if rebuild is not None else {}


def _first_written(event: "Event", written: "Future[object]") -> None:
    """Wait until a forked copy has written its first dump (`event` set), or has ended: then what it
    raised is raised (an error before the event, or a copy that died, never leaves this waiting)."""
    while not event.wait(0.05):
        if written.done():
            written.result()
            return


def _write_all(dataset: Quads, staging: Path, names: tuple[str, ...],
               rebuild: "Rebuild | None" = None) -> dict[str, Dump]:
    return {name: _write(dataset, staging, name, rebuild) for name in names}


def _swap(staging: Path, out: Path) -> "Future[None] | None":
    """Replace `out` by `staging` with renames only; the old folder, renamed aside, is removed in a
    thread (unlinking its hundreds of MB lets go of the GIL), the future of which is returned."""
    if not out.exists():
        staging.rename(out)
        return None
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)  # left by a build that crashed there
    out.rename(old)
    staging.rename(out)
    return in_thread(lambda: shutil.rmtree(old, ignore_errors=True), "giigraph-remove")


def describe(dataset: Quads, dumps: list[Dump], base: str, version: str) -> set[Triple]:
    """VoID + DCAT description of the dataset and one distribution per dump (DCAT-AP: `catalog.py`)."""
    g: set[Triple] = set()
    add = g.add
    stats = _statistics(dataset)
    d = dataset_iri(base)
    publisher = f"{base}id/organization/giigraph"
    for cls in (VOID.Dataset, DCAT.Dataset, SCHEMA.Dataset):
        add((d, RDF.type, cls))
    add((d, DCTERMS.title, Literal(TITLE, lang="en")))
    add((d, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    add((d, DCTERMS.license, DATA_LICENSE))
    add((d, DCTERMS.publisher, publisher))
    add((d, DCAT_VERSION, Literal(version)))
    add((d, OWL.versionInfo, Literal(version)))
    add((d, VOID.uriSpace, Literal(f"{base}id/")))
    add((d, VOID.sparqlEndpoint, f"{base}sparql"))
    add((d, VOID.vocabulary, ONTOLOGY_IRI))
    for prefix in ("schema", "org", "prov", "skos", "dcterms", "qb", "foaf", "geo", "wgs84"):
        add((d, VOID.vocabulary, PREFIXES[prefix]))
    add((d, VOID.exampleResource, f"{base}id/cluster/shanghai-suzhou"))
    add((d, VOID.triples, Literal(stats.triples)))
    add((d, VOID.distinctSubjects, Literal(stats.subjects)))
    add((d, VOID.properties, Literal(len(stats.properties))))
    add((d, VOID.classes, Literal(len(stats.classes))))
    for name in dataset.names():
        add((d, VOID.subset, _subset(g, name, len(dataset.graphs[name]))))
    _linksets(g, d, stats.links)
    for dump in dumps:
        _distribution(g, d, base, dump)
    catalog.describe(g, d, base, publisher, TITLE, DESCRIPTION, stats.years, stats.sources,
                     {dump_iri(base, dump.fmt.filename): dump.fmt for dump in dumps})
    return g


@dataclass(frozen=True)
class _Statistics:
    """What the description counts in the data, gathered in one pass over its index by subject."""

    triples: int
    subjects: int
    properties: set[str]
    classes: set[Term]
    links: dict[tuple[LinkTarget, str], int]  # (target, predicate) -> links
    sources: set[Term]  # the news articles
    years: set[str]  # dcterms:issued of the GII editions


@dataclass(frozen=True)
class _Tally(Tally):
    """What the statistics are counted from, per triple: a rebuild takes the previous build's and the
    union's change (`Rebuild.tallied`) instead of a pass over the union."""

    properties: dict[str, int]  # predicate -> triples
    classes: dict[Term, int]  # value of rdf:type -> triples
    links: dict[tuple[LinkTarget, str], int]  # (target, predicate) -> links
    sources: dict[Term, int]  # subject of rdf:type schema:NewsArticle -> triples (1)
    editions: dict[Term, int]  # value of gii:edition -> triples


def _statistics(dataset: Quads, rebuild: "Rebuild | None" = None) -> _Statistics:
    """What the description counts, made once (`write_dist` has it made while Turtle and TriG are written);
    with `rebuild`, from what the previous build left and the change where it can, left for the next."""
    def make() -> _Statistics:
        tally = rebuild.tallied("statistics", _tally) if rebuild is not None else None
        if tally is None:
            tally = _tally(dataset.by_subject())
        if rebuild is not None:
            rebuild.leave("statistics", tally)
        return _stated(tally, dataset.by_subject())
    return dataset.shared("statistics", make)  # type: ignore[return-value]


def _tally(by_subject: Index) -> _Tally:
    spaces = tuple(target.uri_space for target in LINK_TARGETS)
    rdf_type, edition, article = RDF.type, GII.edition, SCHEMA.NewsArticle  # looked up once, not per triple
    properties: dict[str, int] = {}
    classes: dict[Term, int] = {}
    sources: dict[Term, int] = {}
    editions: dict[Term, int] = {}
    links: dict[tuple[LinkTarget, str], int] = {}
    for s, props in by_subject.items():
        for p, objects in props.items():
            properties[p] = properties.get(p, 0) + len(objects)
            if p == rdf_type:
                for o in objects:
                    classes[o] = classes.get(o, 0) + 1
                if article in objects:
                    sources[s] = 1
            elif p == edition:
                for o in objects:
                    editions[o] = editions.get(o, 0) + 1
            for o in objects:
                if isinstance(o, str) and o.startswith(spaces):
                    for target in LINK_TARGETS:
                        if o.startswith(target.uri_space):
                            links[target, p] = links.get((target, p), 0) + 1
    return _Tally(properties, classes, links, sources, editions)


def _stated(tally: _Tally, by_subject: Index) -> _Statistics:
    """The statistics of the union indexed by `by_subject`, whose counts are `tally`."""
    issued = DCTERMS.issued
    years = {o[0] for e in tally.editions for o in by_subject.get(e, {}).get(issued, ())}
    return _Statistics(sum(tally.properties.values()), len(by_subject), set(tally.properties), set(tally.classes),
                       dict(tally.links), set(tally.sources), years)


def _subset(g: set[Triple], name: str, triples: int) -> str:
    """Each named graph as a VoID subset with its triple count, for loaders to check against.

    The graph is the document and the subset the data set it belongs to: `void:inDataset` goes from
    a document to its data set (domain foaf:Document, range void:Dataset).
    """
    subset = f"{name}#void"
    g.add((subset, RDF.type, VOID.Dataset))
    g.add((subset, RDFS.label, Literal(f"Named graph {name}", lang="en")))
    g.add((name, VOID.inDataset, subset))
    g.add((subset, VOID.triples, Literal(triples)))
    return subset


def _linksets(g: set[Triple], d: str, counts: dict[tuple[LinkTarget, str], int]) -> None:
    """One void:Linkset per target dataset and link predicate (VoID gives a linkset one
    void:linkPredicate), with its exact number of links (`counts`); a target we also read data in (GeoNames'
    coordinates) is a dcterms:source, credited as its licence asks (cc:attributionName, cc:attributionURL)."""
    for target in {t for t, _ in counts}:
        g.add((target.iri, RDF.type, VOID.Dataset))
        g.add((target.iri, DCTERMS.title, Literal(target.title, lang="en")))
        g.add((target.iri, DCTERMS.description, Literal(target.description, lang="en")))
        g.add((target.iri, FOAF.homepage, target.iri))
        g.add((target.iri, VOID.uriSpace, Literal(target.uri_space)))
        g.add((target.iri, DCTERMS.license, target.license))
        if target.source:  # what the data was read in is prov:wasDerivedFrom, as for the articles (catalog.py)
            g.add((d, PROV.wasDerivedFrom, target.iri))
            g.add((target.iri, CC.attributionName, Literal(target.title)))
            g.add((target.iri, CC.attributionURL, target.iri))
    for (target, predicate), triples in counts.items():
        linkset = f"{d}#linkset-{target.slug}-{_curie(predicate).replace(':', '-')}"
        g.add((d, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, RDFS.label, Literal(f"Links to {target.title} ({_curie(predicate)})", lang="en")))
        g.add((linkset, VOID.subjectsTarget, d))
        g.add((linkset, VOID.objectsTarget, target.iri))
        g.add((linkset, VOID.linkPredicate, predicate))
        g.add((linkset, VOID.triples, Literal(triples)))


def _curie(iri: str) -> str:
    prefix, namespace = next((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns))
    return f"{prefix}:{iri[len(namespace):]}"


def _distribution(g: set[Triple], d: str, base: str, dump: Dump) -> None:
    url = dump_iri(base, dump.fmt.filename)
    checksum = f"{url}#sha256"
    for triple in (
        (d, DCAT.distribution, url),
        (d, VOID.dataDump, url),
        (url, RDF.type, DCAT.Distribution),
        (url, DCTERMS.title, Literal(f"{dump.fmt.label} dump", lang="en")),
        (url, DCAT.downloadURL, url),
        (url, DCAT.mediaType, IANA + dump.fmt.media_type),
        (url, DCAT.byteSize, Literal(str(dump.size), datatype=XSD.nonNegativeInteger)),
        (url, DCTERMS.license, DATA_LICENSE),
        (url, SPDX.checksum, checksum),
        (checksum, RDF.type, SPDX.Checksum),
        (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
        (checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)),
    ):
        g.add(triple)
