"""A synthetic but realistic corpus in giigraph's own source format, for benchmarks.

Writes `curated/*.yaml` and one `sources/<article-id>.yaml` per article, exactly as curators write
`data/`: places, clusters, organizations, people, roles, report editions and strategies; articles
with numbered passages, cluster ranks per edition, posts, events, videos, statements and claims.
The same seed and size give the same files, byte for byte. Every name is made up (syllables), so
the corpus can never be mistaken for real data; its proportions follow the GII article.

    .venv/bin/python benchmarks/corpus.py --triples 100k --out /tmp/corpus-100k
"""
from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _Dumper

EDITIONS = tuple(range(2017, 2025))
#: Where the cities' coordinates are read (every city has a GeoNames id and coordinates, as in data/).
GEONAMES = {"id": "geonames", "name": {"en": "GeoNames geographical database"}, "url": "https://www.geonames.org/",
            "type": "dataset", "license": "https://creativecommons.org/licenses/by/4.0/"}
SEED = 2023

# Rough triples per record, read off build.py; used only to size the corpus.
CURATED_COST = {"cluster": 15, "city": 24, "economy": 13, "region": 5, "organization": 11, "person": 8}
ARTICLE_COST = 445

_SYLLABLES = ("an", "ba", "chen", "da", "fu", "gao", "hai", "jin", "ka", "lin", "ma", "nan", "ou", "pe",
              "qi", "ro", "sa", "tian", "u", "vel", "wu", "xi", "ya", "zhou", "bor", "del", "mar", "sen",
              "tor", "lu", "ri", "ko", "mi", "na", "sol", "ven")
_HANZI = "安北长大东福广海华江京开兰龙明南宁青仁山上深苏天文武西新阳云州中"
_TOPICS = ("patent filings", "scientific publications", "R&D investment", "university research",
           "venture capital", "talent programmes", "IP protection", "standard setting",
           "technology transfer", "cross-border collaboration", "the business environment",
           "green technology", "semiconductors", "biotechnology", "artificial intelligence")
_VERBS = ("discusses", "reports", "compares", "explains", "summarises", "questions", "welcomes")
_ROLES = {
    "director-general": ("Director General", "总干事"),
    "deputy-director-general": ("Deputy Director General", "副总干事"),
    "assistant-director-general": ("Assistant Director General", "助理总干事"), "minister": ("Minister", "部长"),
    "vice-minister": ("Vice Minister", "副部长"), "director": ("Director", "主任"), "mayor": ("Mayor", "市长"),
    "vice-mayor": ("Vice Mayor", "副市长"), "chief-executive": ("Chief Executive", "首席执行官"),
    "chief-scientist": ("Chief Scientist", "首席科学家"), "professor": ("Professor", "教授"),
    "editor": ("Editor", "编辑"), "writer": ("Writer", "作者"), "spokesperson": ("Spokesperson", "发言人"),
}


def _dump(path: Path, doc: dict) -> None:
    path.write_text(yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100),
                    encoding="utf-8")


@dataclass
class _Names:
    """Unique made-up names and slugs."""

    rng: random.Random
    used: set[str] = field(default_factory=set)

    def any_word(self, parts: int) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()

    def word(self, parts: int = 2) -> str:
        while True:
            w = self.any_word(parts)
            if w.lower() not in self.used:
                self.used.add(w.lower())
                return w

    def hanzi(self, n: int = 2) -> str:
        return "".join(self.rng.choice(_HANZI) for _ in range(n))


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)


class Generator:
    """Builds the corpus for a target triple count; all randomness comes from one seeded generator."""

    def __init__(self, triples: int, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.names = _Names(self.rng)
        self.target = triples
        scale = triples / 1_000_000
        self.n_clusters = max(12, min(300, int(300 * scale ** 0.5)))
        self.n_orgs = max(12, int(600 * scale))
        self.n_people = max(20, int(5000 * scale))

    # --- curated entities ------------------------------------------------------------------------
    def curated(self) -> dict[str, dict]:
        rng, names = self.rng, self.names
        regions = [{"id": _slug(n), "name": {"en": n, "zh": names.hanzi(2)}}
                   for n in ("East Asia", "North America", "Western Europe", "Northern Europe",
                             "West Asia", "South America", "South Asia", "Oceania")]
        economies = []
        for i in range(max(6, self.n_clusters // 6)):
            name = names.word(2)
            code = name[:2].upper()
            economies.append({
                "id": _slug(name), "name": {"en": name, "zh": names.hanzi(2)},
                "code": code + ("*" if i % 17 == 16 else ""), "sovereign": i % 11 != 10,
                "region": rng.choice(regions)["id"],
                **({"wikidata": f"Q{1000 + i * 37}"} if i % 3 == 0 else {}),
                "geonames": 1_000_000 + i,
            })
        provinces = [{"id": _slug(n), "name": {"en": n, "zh": names.hanzi(2)}, "economy": rng.choice(economies)["id"]}
                     for n in (names.word(3) for _ in range(max(3, self.n_clusters // 4)))]
        cities, clusters = [], []
        for _ in range(self.n_clusters):
            economy = rng.choice(economies)
            members = []
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                name = names.word(rng.choice((2, 3)))
                within = rng.choice([p for p in provinces if p["economy"] == economy["id"]] or [economy])
                city = {"id": _slug(name), "name": {"en": name}, "within": within["id"]}
                if rng.random() < 0.7:
                    city["name"]["zh"] = names.hanzi(2)
                if rng.random() < 0.3:
                    city["wikidata"] = f"Q{rng.randrange(10_000, 9_000_000)}"
                city.update(geonames=2_000_000 + len(cities), lat=round(rng.uniform(-60, 70), 5),
                            long=round(rng.uniform(-179, 179), 5))
                cities.append(city)
                members.append(city)
            cluster_economies = [economy["id"]]
            if rng.random() < 0.08:
                other = rng.choice(economies)["id"]
                if other != economy["id"]:
                    cluster_economies.append(other)
            en = "–".join(c["name"]["en"] for c in members)
            clusters.append({"id": _slug(en), "name": {"en": en, "zh": "-".join(names.hanzi(2) for _ in members)},
                             "cities": [c["id"] for c in members], "economies": cluster_economies})
        for region in regions:
            sample = rng.sample(cities, min(len(cities), rng.randrange(2, 6)))
            region["contains"] = [f"city/{c['id']}" for c in sample]

        wipo = {"en": "World Intellectual Property Organization", "zh": "世界知识产权组织"}
        organizations = [{"id": "wipo", "name": wipo, "alternate_names": ["WIPO"], "type": "intergovernmental"}]
        publishers = []
        for i in range(self.n_orgs):
            kind = ("office", "ministry", "local-government", "company", "company", "company",
                    "news-media", "local-government")[i % 8]
            org: dict = {"type": kind}
            if kind == "office":
                place = rng.choice(economies)
                org.update(id=f"wipo-office-in-{place['id']}", name={"en": f"WIPO Office in {place['name']['en']}"},
                           parent="wipo", area_served=place["id"])
                if any(o["id"] == org["id"] for o in organizations):
                    continue
            elif kind == "ministry":
                place = rng.choice(economies)
                topic = rng.choice(("Science and Technology", "Industry", "Commerce", "Education"))
                name = f"Ministry of {topic} of {place['name']['en']}"
                acronym = "M" + "".join(w[0] for w in topic.split() if w[0].isupper()) + place["code"][:2]
                org.update(id=_slug(name), name={"en": name, "zh": names.hanzi(4) + "部"}, area_served=place["id"],
                           alternate_names=[acronym])
                if any(o["id"] == org["id"] for o in organizations):
                    continue
            elif kind == "local-government":
                city = rng.choice(cities)
                name = f"{city['name']['en']} Municipal Government"
                org.update(id=_slug(name) + f"-{i}", name={"en": name}, area_served=f"city/{city['id']}")
            elif kind == "news-media":
                name = f"{names.word(2)} {rng.choice(('Daily', 'Times', 'IP News', 'Science Weekly', 'Herald'))}"
                org.update(id=_slug(name), name={"en": name, "zh": names.hanzi(3) + "报"})
                publishers.append(org)
            else:
                name = f"{names.word(2)} {rng.choice(('Technologies', 'Robotics', 'Semiconductor', 'Biotech', 'Labs'))}"
                org.update(id=_slug(name), name={"en": name})
                if rng.random() < 0.5:
                    org["name"]["zh"] = names.hanzi(2)
            organizations.append(org)
        people: list[dict] = []
        seen_people: set[str] = set()
        while len(people) < self.n_people:
            family, given = names.any_word(1), names.any_word(rng.choice((2, 3)))
            if f"{family} {given}" in seen_people:
                continue
            seen_people.add(f"{family} {given}")
            person = {"id": _slug(f"{family} {given}"), "name": {"en": f"{family} {given}"}}
            if rng.random() < 0.5:
                person["name"]["zh"] = names.hanzi(rng.choice((2, 3)))
            if rng.random() < 0.1:
                person["alternate_names"] = [f"{given} {family}"]
            people.append(person)
        roles = [{"id": k, "name": {"en": en, "zh": zh}} for k, (en, zh) in _ROLES.items()]
        strategies = []
        for region in regions[: max(2, self.n_clusters // 20)]:
            name = f"Innovation strategy for {region['name']['en']}"
            strategies.append({"id": _slug(name), "name": {"en": name, "zh": names.hanzi(6)}, "areas": [region["id"]]})
        series = [{"id": "global-innovation-index", "name": {"en": "Global Innovation Index", "zh": "全球创新指数"},
                   "alternate_names": ["GII"], "publisher": "wipo"}]
        reports = [{"id": f"gii-{y}", "name": {"en": f"Global Innovation Index {y}", "zh": f"{y}年全球创新指数"},
                    "alternate_names": [f"GII {y}"], "series": "global-innovation-index", "year": y}
                   for y in EDITIONS]
        self.economies, self.cities, self.clusters = economies, cities, clusters
        self.organizations, self.publishers, self.people = organizations, publishers, people
        self.regions, self.strategies = regions, strategies
        return {
            "places.yaml": {"regions": regions, "economies": economies, "provinces": provinces, "cities": cities},
            "clusters.yaml": {"clusters": clusters},
            "organizations.yaml": {"organizations": organizations, "people": people, "roles": roles},
            "reports.yaml": {"series": series, "reports": reports, "strategies": strategies},
            "cited-sources.yaml": {"cited_sources": [GEONAMES]},
        }

    def curated_cost(self) -> int:
        return (len(self.clusters) * CURATED_COST["cluster"] + len(self.cities) * CURATED_COST["city"]
                + len(self.economies) * CURATED_COST["economy"] + len(self.organizations) * CURATED_COST["organization"]
                + len(self.people) * CURATED_COST["person"] + 200)

    # --- sources ---------------------------------------------------------------------------------
    def rankings(self) -> dict[int, list[str]]:
        """One top-100 table per edition: clusters drift a few places from year to year."""
        order = [c["id"] for c in self.clusters]
        self.rng.shuffle(order)
        tables = {}
        for year in EDITIONS:
            drift = {c: i + self.rng.gauss(0, 3) for i, c in enumerate(order)}
            order = sorted(order, key=drift.__getitem__)
            tables[year] = order[:100]
        return tables

    def article(self, n: int, tables: dict[int, list[str]], first: bool) -> tuple[str, dict]:
        rng, names = self.rng, self.names
        year = rng.choice(EDITIONS)
        publisher = rng.choice(self.publishers)
        published = datetime(year, 9, 1, 8, 0, tzinfo=timezone(timedelta(hours=rng.choice((0, 1, 8, 9, -5)))))
        published += timedelta(days=rng.randrange(120), minutes=rng.randrange(0, 24 * 60, 7))
        article_id = f"{publisher['id']}-{published:%Y-%m-%d}-{n}"
        table = tables[year]
        k = min(len(table), rng.choice((5, 10, 10, 20, 30, 50)))
        offset = rng.randrange(0, max(1, len(table) - k))
        reported = table[offset:offset + k]
        headline_cluster = next(c for c in self.clusters if c["id"] == reported[0])["name"]["en"]
        headline = {"en": f"Global Innovation Index {year}: {headline_cluster} among the top science and "
                          "technology clusters"}
        if rng.random() < 0.3:
            headline["zh"] = f"{year}年全球创新指数：{names.hanzi(4)}"
        n_passages = rng.randrange(8, 21)
        passages = []
        for p in range(1, n_passages + 1):
            verb, subject, city = rng.choice(_VERBS), rng.choice(_TOPICS), rng.choice(self.cities)["name"]["en"]
            topic = f"The article {verb} {subject} in {city}."
            if p % 9 == 4:
                topic = f"Quoting the report: \"{rng.choice(_TOPICS)}\" drives the cluster's rise (paragraph {p})."
            passages.append({"n": p, "topic": topic})
        journalists = rng.sample(self.people, 2)
        article = {
            "id": article_id, "headline": headline, "published": published.isoformat(), "language": "en",
            "publisher": publisher["id"], "authors": [f"person/{journalists[0]['id']}"],
            "editors": [f"person/{journalists[1]['id']}"],
            "rights": {"en": f"All contents of {publisher['name']['en']} may not be reproduced without permission.",
                       "zh": "未经许可不得转载"},
            "about": [f"gii-{year}", "gii-st-cluster-ranking"], "passages": passages,
        }
        pick = lambda: rng.randrange(1, n_passages + 1)  # noqa: E731
        doc: dict = {"article": article}
        if first:
            doc["rankings"] = [{
                "id": "gii-st-cluster-ranking", "name": {"en": "GII Science and Technology Cluster ranking",
                                                         "zh": "全球创新指数科技集群排名"},
                "series": "global-innovation-index", "since": 2017, "clusters_per_edition": 100,
                "min_economies_considered": 130, "indicators": ["patent-filing-activity", "scientific-publication"],
                "passages": [1]}]
        ranks = []
        for i, cluster in enumerate(reported):
            fact: dict = {"cluster": cluster, "edition": f"gii-{year}"}
            if i < k - 3 or rng.random() < 0.5:
                fact["rank"] = offset + i + 1
            else:
                fact["within_top"] = 100
            fact["passages"] = [pick()]
            ranks.append(fact)
        if year > EDITIONS[0] and rng.random() < 0.5:
            previous = tables[year - 1]
            for cluster in reported[:3]:
                if cluster in previous:
                    ranks.append({"cluster": cluster, "edition": f"gii-{year - 1}",
                                  "rank": previous.index(cluster) + 1, "passages": [pick()]})
        doc["ranks"] = ranks
        posts, speakers = [], []
        for i in range(rng.randrange(2, 6)):
            person = rng.choice(self.people)
            if any(p["id"] == person["id"] for p in speakers):
                continue
            org = rng.choice(self.organizations)
            role = rng.choice(list(_ROLES))
            posts.append({"id": f"{article_id}-post-{i}", "holder": f"person/{person['id']}",
                          "organization": org["id"], "role": role, "passages": [pick()]})
            speakers.append(person)
        doc["posts"] = posts
        event_id = f"{article_id}-event"
        video = None
        if rng.random() < 0.4:
            video = {"id": f"{article_id}-video", "name": {"en": f"Video message of {speakers[0]['name']['en']}"},
                     "creator": f"person/{speakers[0]['id']}", "passages": [pick()]}
            doc["videos"] = [video]
        attendees = [f"person/{p['id']}" for p in speakers[1:]] + [rng.choice(self.organizations)["id"]]
        doc["events"] = [{
            "id": event_id,
            "name": {"en": f"Roundtable on the Global Innovation Index {year}", "zh": f"{year}年全球创新指数圆桌会"},
            "about": [f"gii-{year}"], "attendees": sorted(set(attendees)),
            "featured": [video["id"]] if video else [], "passages": sorted({pick(), pick()})}]
        statements = []
        for i, (person, post) in enumerate(zip(speakers, posts)):
            direct = rng.random() < 0.4
            mentions = {f"cluster/{rng.choice(reported)}", f"economy/{rng.choice(self.economies)['id']}"}
            if self.strategies and rng.random() < 0.3:
                mentions.add(f"strategy/{rng.choice(self.strategies)['id']}")
            if direct:
                text = {"en": f"{rng.choice(_TOPICS).capitalize()} made the difference: we will keep investing."}
            else:
                first, second = rng.choice(_TOPICS), rng.choice(_TOPICS)
                text = {"en": f"The speaker said {first} and {second} explain the cluster's rank."}
            if rng.random() < 0.2:
                text["zh"] = names.hanzi(12)
            statements.append({
                "id": f"{article_id}-statement-{i}", "mode": "direct" if direct else "reported",
                "speakers": [f"person/{person['id']}"], "post": post["id"],
                "stated_in": video["id"] if (video and i == 0) else event_id,
                "text": text, "mentions": sorted(mentions), "passages": sorted({pick(), pick()})})
        doc["statements"] = statements
        claims = []
        for i in range(rng.randrange(1, 4)):
            cluster = rng.choice(reported)
            rank = offset + reported.index(cluster) + 1
            claims.append({
                "id": f"{article_id}-claim-{i}", "quote": {"en": f"ranks {rank} in {year}"},
                "summary": {"en": f"The cluster {cluster} holds rank {rank} in GII {year}."},
                "based_on": [f"gii-{year}", "gii-st-cluster-ranking"],
                "mentions": [f"cluster/{cluster}"], "passages": [pick()]})
        doc["claims"] = claims
        return article_id, doc

    def write(self, out: Path) -> None:
        """Write the corpus into `out` (replaced)."""
        if out.exists():
            shutil.rmtree(out)
        (out / "curated").mkdir(parents=True)
        (out / "sources").mkdir()
        for name, doc in self.curated().items():
            _dump(out / "curated" / name, doc)
        tables = self.rankings()
        n_articles = max(1, round((self.target - self.curated_cost()) / ARTICLE_COST))
        for n in range(n_articles):
            article_id, doc = self.article(n, tables, first=n == 0)
            _dump(out / "sources" / f"{article_id}.yaml", doc)


def generate(out: Path, triples: int, seed: int = SEED) -> Path:
    """Write a corpus of about `triples` triples into `out`; same arguments, same bytes."""
    Generator(triples, seed).write(Path(out))
    return Path(out)


def parse_size(text: str) -> int:
    """`10k`, `100k`, `1m`, `2.5m` or a plain number of triples."""
    text = text.strip().lower()
    if text[-1:] in ("k", "m"):
        return int(float(text[:-1]) * {"k": 1_000, "m": 1_000_000}[text[-1]])
    return int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", default="100k", help="target size: 10k, 100k, 1m or a number")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, parse_size(args.triples), args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
