"""Typed records of the curated data: one frozen dataclass per kind of thing.

Field annotations carry what the loader checks (`Ref` to other records, `Range`, `Pattern`,
language-tagged text), so a kind's shape is declared once, here. A reference is stored resolved as
`kind/slug`, which is also the IRI path under `{base}id/`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar, Literal

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"


@dataclass(frozen=True)
class Ref:
    """The field names other records, of one of these kinds (a bare slug or `kind/slug`)."""

    kinds: tuple[str, ...]


def ref(*kinds: str) -> Ref:
    return Ref(kinds)


@dataclass(frozen=True)
class Range:
    """Inclusive bounds of a number (no upper bound when `high` is None)."""

    low: int
    high: int | None = None


@dataclass(frozen=True)
class Pattern:
    """The field's text must match `regex`; `example` shows curators a valid value."""

    regex: str
    example: str


@dataclass(frozen=True)
class Lookup:
    """A table cell names a record of `kind` by one of its attributes, as printed in sources
    (a cluster by `name`, an economy by `code`, a cited source by `url`); stored resolved as `kind/slug`."""

    kind: str
    by: Literal["name", "code", "url"]


@dataclass(frozen=True)
class Sparql:
    """The field is the text of a SPARQL query of this form, written with the dataset's prefixes."""

    form: Literal["ASK", "SELECT"]


@dataclass(frozen=True)
class PassageRef:
    """The field names passages (by number) of the source the record is read from."""


@dataclass(frozen=True)
class LanguageTag:
    """The field is a BCP 47 language tag."""


#: Text in several languages, keyed by BCP 47 tag; English is required.
LangText = dict[str, str]
Passages = Annotated[tuple[int, ...], PassageRef()]
Year = Annotated[int, Range(1900, 2100)]
WikidataId = Annotated[str | None, Pattern(r"Q[1-9][0-9]*", "Q148")]
URL_PATTERN = Pattern(r"https?://[^\s<>\"{}|\\^`]+", "https://www.wipo.int/")
Url = Annotated[str, URL_PATTERN]
#: A GeoNames feature id: the place is https://sws.geonames.org/{id}/.
GeoNamesId = Annotated[int | None, Range(1)]
#: WGS84 degrees, as GeoNames gives them.
Latitude = Annotated[Decimal | None, Range(-90, 90)]
Longitude = Annotated[Decimal | None, Range(-180, 180)]
Count = Annotated[int | None, Range(0)]
Percent = Annotated[Decimal | None, Range(0, 100)]

#: The cited source every coordinate is read in (a city's `lat` and `long` are its GeoNames feature's).
GEONAMES_SOURCE = "source/geonames"

PLACE_KINDS = ("region", "economy", "province", "city", "cluster")
AGENT_KINDS = ("person", "organization")


@dataclass(frozen=True)
class Record:
    """Base of every record: its slug, and where it was read (for error messages)."""

    kind: ClassVar[str]
    #: When set, a record's id is not written in the data but taken from this field (a slug).
    id_from: ClassVar[str | None] = None
    id: str
    path: str = field(default="", compare=False, repr=False, kw_only=True)
    line: int = field(default=0, compare=False, repr=False, kw_only=True)
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False, kw_only=True)

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.id}"


# --- curated entities -------------------------------------------------------------------------

@dataclass(frozen=True)
class Region(Record):
    """A named region of the world or of a country (East Asia, the Yangtze River Delta)."""

    kind = "region"
    name: LangText
    contains: Annotated[tuple[str, ...], ref("city", "province", "economy")] = ()
    wikidata: WikidataId = None


@dataclass(frozen=True)
class Economy(Record):
    """An economy as WIPO lists it: a country or a territory (`sovereign` false), with its code."""

    kind = "economy"
    name: LangText
    code: Annotated[str, Pattern(r"[A-Z]{2}\*?", "CN")]
    sovereign: bool
    region: Annotated[str | None, ref("region")] = None
    wikidata: WikidataId = None
    geonames: GeoNamesId = None


@dataclass(frozen=True)
class Province(Record):
    """A province or other first-level division of an economy."""

    kind = "province"
    name: LangText
    economy: Annotated[str, ref("economy")]
    wikidata: WikidataId = None


@dataclass(frozen=True)
class City(Record):
    """A city, within an economy or a province; its GeoNames feature and that feature's coordinates."""

    kind = "city"
    name: LangText
    within: Annotated[str | None, ref("economy", "province")] = None
    wikidata: WikidataId = None
    geonames: GeoNamesId = None
    lat: Latitude = None
    long: Longitude = None


@dataclass(frozen=True)
class Cluster(Record):
    """A science and technology cluster: the cities it spans and the economies WIPO assigns it to."""

    kind = "cluster"
    name: LangText
    cities: Annotated[tuple[str, ...], ref("city")]
    economies: Annotated[tuple[str, ...], ref("economy")]
    #: Other spellings sources print (WIPO's "New York City, NY", a 2022 list's "New York").
    alternate_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organization(Record):
    """An organization, its kind, and the organization it is part of."""

    kind = "organization"
    name: LangText
    type: Literal["intergovernmental", "office", "ministry", "local-government", "company", "news-media"]
    parent: Annotated[str | None, ref("organization")] = None
    area_served: Annotated[str | None, ref(*PLACE_KINDS)] = None
    alternate_names: tuple[str, ...] = ()
    wikidata: WikidataId = None


@dataclass(frozen=True)
class Person(Record):
    """A person named in a source."""

    kind = "person"
    name: LangText
    alternate_names: tuple[str, ...] = ()
    wikidata: WikidataId = None


@dataclass(frozen=True)
class Role(Record):
    """A role a person holds in an organization (Vice Minister, Director)."""

    kind = "role"
    name: LangText


@dataclass(frozen=True)
class Strategy(Record):
    """A regional development strategy and the areas it covers."""

    kind = "strategy"
    name: LangText
    areas: Annotated[tuple[str, ...], ref("region", "city", "province")]


@dataclass(frozen=True)
class Series(Record):
    """A report series (the Global Innovation Index) and its publisher."""

    kind = "series"
    name: LangText
    publisher: Annotated[str, ref("organization")]
    alternate_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report(Record):
    """One edition of a report series."""

    kind = "report"
    name: LangText
    series: Annotated[str, ref("series")]
    year: Year
    alternate_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class CitedSource(Record):
    """A document, other than the article, that figures were read in: a report table, a news page."""

    kind = "source"
    name: LangText  # its title where known, else a short description naming the outlet
    url: Url
    type: Literal["report-part", "news-article", "web-page", "blog-post", "dataset"]
    publisher: Annotated[str | None, ref("organization")] = None
    published: date | None = None
    language: Annotated[str | None, LanguageTag()] = None
    part_of: Annotated[str | None, ref("report")] = None
    pages: str | None = None
    based_on: Annotated[tuple[str, ...], ref("report")] = ()
    license: Annotated[str | None, URL_PATTERN] = None
    note: LangText | None = None


@dataclass(frozen=True)
class ClaimTest(Record):
    """How the data decides one of the article's claims: SPARQL ASK queries that hold when the data
    supports or contradicts it, and a SELECT of the evidence (?evidence, ?source)."""

    kind = "claim-test"
    id_from = "claim"
    claim: Annotated[str, ref("claim")]
    supported_if: Annotated[str, Sparql("ASK")]
    contradicted_if: Annotated[str, Sparql("ASK")]
    evidence: Annotated[str, Sparql("SELECT")]


# --- what a source says ------------------------------------------------------------------------

@dataclass(frozen=True)
class Passage:
    """A numbered paragraph of an article; its text is not republished, only what it is about."""

    n: Annotated[int, Range(1)]
    topic: str


@dataclass(frozen=True)
class Article(Record):
    """The source document: a news article, its credits, rights and numbered passages."""

    kind = "article"
    headline: LangText
    published: datetime
    language: Annotated[str, LanguageTag()]
    publisher: Annotated[str, ref("organization")]
    authors: Annotated[tuple[str, ...], ref("person")]
    editors: Annotated[tuple[str, ...], ref("person")]
    rights: LangText
    about: Annotated[tuple[str, ...], ref("report", "ranking")]
    passages: tuple[Passage, ...]
    inferred: LangText | None = None  # what of this description is inferred, not read, and by which rule


@dataclass(frozen=True)
class Ranking(Record):
    """A recurring ranking inside a report series (the S&T cluster ranking of the GII)."""

    kind = "ranking"
    name: LangText
    series: Annotated[str, ref("series")]
    since: Year
    clusters_per_edition: Annotated[int, Range(1)]
    min_economies_considered: Annotated[int, Range(1)]
    indicators: tuple[Literal["patent-filing-activity", "scientific-publication"], ...]
    passages: Passages


@dataclass(frozen=True)
class RankFact(Record):
    """A cluster's rank in one edition, or only that it is within the top N when no rank is given."""

    kind = "observation"
    cluster: Annotated[str, ref("cluster")]
    edition: Annotated[str, ref("report")]
    passages: Passages
    rank: Annotated[int | None, Range(1, 100)] = None
    within_top: Annotated[int | None, Range(1, 100)] = None


@dataclass(frozen=True)
class Post(Record):
    """A post a person holds in an organization, in a role, as a source states it."""

    kind = "post"
    holder: Annotated[str, ref("person")]
    organization: Annotated[str, ref("organization")]
    role: Annotated[str, ref("role")]
    passages: Passages
    inferred: LangText | None = None  # set when the source does not state the post, and the rule used


@dataclass(frozen=True)
class Video(Record):
    """A video a source mentions, and who made it."""

    kind = "video"
    name: LangText
    creator: Annotated[str, ref("person")]
    passages: Passages


@dataclass(frozen=True)
class Event(Record):
    """An event a source reports: what it was about, who attended, what it featured."""

    kind = "event"
    name: LangText
    about: Annotated[tuple[str, ...], ref("report", "ranking")]
    attendees: Annotated[tuple[str, ...], ref(*AGENT_KINDS)]
    featured: Annotated[tuple[str, ...], ref("video")]
    passages: Passages


@dataclass(frozen=True)
class Statement(Record):
    """Direct speech keeps the speaker's exact short words; reported speech is our own summary."""

    kind = "statement"
    mode: Literal["direct", "reported"]
    speakers: Annotated[tuple[str, ...], ref(*AGENT_KINDS)]
    stated_in: Annotated[str, ref("event", "video")]
    text: LangText
    mentions: Annotated[tuple[str, ...], ref(*PLACE_KINDS, "organization", "strategy", "report", "ranking")]
    passages: Passages
    post: Annotated[str | None, ref("post")] = None
    excerpt: bool = False  # direct speech: the text is part of what the speaker said, not all of it
    inferred: LangText | None = None  # what of it the passages do not state (e.g. the occasion), and the rule


@dataclass(frozen=True)
class Claim(Record):
    """A claim of the article that data can check: its short exact words and our restatement."""

    kind = "claim"
    quote: LangText
    summary: LangText
    based_on: Annotated[tuple[str, ...], ref("report", "ranking")]
    mentions: Annotated[tuple[str, ...], ref(*PLACE_KINDS, "organization")]
    passages: Passages
    speakers: Annotated[tuple[str, ...], ref(*AGENT_KINDS)] = ()  # whose reported words; none: the article's


# --- rows of the tables in data/tables (CSV; a column per field) --------------------------------

@dataclass(frozen=True)
class ClusterRow(Record):
    """What one source gives for one cluster in one edition of the ranking (cluster-figures.csv).

    `previous_rank` and `rank_change` are the edition's own comparison with the edition before (WIPO
    recomputes it); the rank published in that earlier edition is a row of its own, never this."""

    kind = "cluster-row"
    edition: Annotated[str, ref("report")]
    rank: Annotated[int, Range(1, 100)]
    cluster: Annotated[str, Lookup("cluster", "name")]
    source: Annotated[str, Lookup("source", "url")]
    economies: Annotated[tuple[str, ...], Lookup("economy", "code")] = ()
    pct_applications: Count = None
    pct_share: Percent = None
    publications: Count = None
    pub_share: Percent = None
    total_share: Percent = None
    previous_rank: Annotated[int | None, Range(1)] = None
    rank_change: int | None = None


@dataclass(frozen=True)
class EconomyCount(Record):
    """How many of an edition's top 100 clusters one source gives an economy (clusters-per-economy.csv)."""

    kind = "economy-count"
    edition: Annotated[str, ref("report")]
    economy: Annotated[str, Lookup("economy", "code")]
    clusters: Annotated[int, Range(0, 100)]
    source: Annotated[str, Lookup("source", "url")]


CURATED_KINDS: dict[str, type[Record]] = {
    "regions": Region, "economies": Economy, "provinces": Province, "cities": City,
    "clusters": Cluster, "organizations": Organization, "people": Person, "roles": Role,
    "strategies": Strategy, "series": Series, "reports": Report, "cited_sources": CitedSource,
    "claim_tests": ClaimTest,
}

SOURCE_KINDS: dict[str, type[Record]] = {
    "rankings": Ranking, "ranks": RankFact, "posts": Post, "videos": Video, "events": Event,
    "statements": Statement, "claims": Claim,
}

#: data/tables/{name}.csv -> the record each row becomes.
TABLE_KINDS: dict[str, type[Record]] = {"cluster-figures": ClusterRow, "clusters-per-economy": EconomyCount}


@dataclass(frozen=True)
class Source:
    """One source document and every fact read in it."""

    article: Article
    records: tuple[Record, ...]

    @property
    def id(self) -> str:
        return self.article.id

    def refs(self) -> tuple[str, ...]:
        """The references of the article and of each record read in it, in order."""
        return (self.article.ref, *(r.ref for r in self.records))


@dataclass(frozen=True)
class Corpus:
    """Everything the curated data says: the entities, the sources with their facts, the table rows."""

    entities: tuple[Record, ...]
    sources: tuple[Source, ...]
    figures: tuple[Record, ...] = ()
    #: Each source's `buildcache.digest`, where the build cache kept it with the source (else None or
    #: none at all): what its graph's entry is keyed by, without pickling the source again.
    digests: tuple[bytes | None, ...] = field(default=(), compare=False)

    def all_records(self) -> tuple[Record, ...]:
        return self.entities + tuple(r for s in self.sources for r in (s.article, *s.records)) + self.figures
