"""Where places are: GeoNames links, and coordinates in W3C Basic Geo, GeoSPARQL and schema.org.

Every city and economy is the same place as its GeoNames feature (`owl:sameAs`, and `schema:sameAs`
for schema.org consumers), stated by the curators in the curated graph. A city's coordinates are
its GeoNames feature's, so they go into the graph of the cited source `geonames`, written three
ways, one per kind of consumer: `wgs84:lat`/`wgs84:long` (W3C Basic Geo) on the city; a GeoSPARQL geometry
`{city}#geometry` with a WKT `POINT`, for stores' spatial functions; schema.org `GeoCoordinates` at
`{city}#coordinates`, for the pages' JSON-LD. A cluster's geometry is the `MULTIPOINT` of its cities.
Both node kinds name their source (`dcterms:source`). WKT uses GeoSPARQL's default CRS (CRS84):
longitude first.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from . import model
from .namespaces import DCTERMS, GEO, GEONAMES, OWL, SCHEMA, SF, WGS84
from .terms import Literal

if TYPE_CHECKING:
    from .builder import Builder


def geonames_iri(feature: int) -> str:
    """The GeoNames feature's IRI, as its Semantic Web service publishes it."""
    return f"{GEONAMES}{feature}/"


def link(b: "Builder", s: str, feature: int | None) -> None:
    """The place is the GeoNames feature: for OWL consumers and for schema.org's."""
    if feature:
        b.add(s, OWL.sameAs, geonames_iri(feature))
        b.add(s, SCHEMA.sameAs, geonames_iri(feature))


def locate(b: "Builder", entities: tuple[model.Record, ...]) -> None:
    """Every city's coordinates, and the geometry of every cluster whose cities all have them."""
    source = b.iri(model.GEONAMES_SOURCE)
    points: dict[str, str] = {}
    for city in entities:
        if isinstance(city, model.City) and city.lat is not None and city.long is not None:
            s = b.iri(city.ref)
            points[city.ref] = _point(city.long, city.lat)
            b.add(s, WGS84.lat, Literal(city.lat))
            b.add(s, WGS84.long, Literal(city.long))
            _geometry(b, s, SF.Point, f"POINT({points[city.ref]})", source)
            coordinates = f"{s}#coordinates"
            b.add(s, SCHEMA.geo, coordinates)
            b.types(coordinates, SCHEMA.GeoCoordinates)
            b.add(coordinates, SCHEMA.latitude, Literal(city.lat))
            b.add(coordinates, SCHEMA.longitude, Literal(city.long))
            b.add(coordinates, DCTERMS.source, source)
    for cluster in entities:
        if isinstance(cluster, model.Cluster) and cluster.cities and all(c in points for c in cluster.cities):
            wkt = "MULTIPOINT(" + ", ".join(f"({points[c]})" for c in cluster.cities) + ")"
            _geometry(b, b.iri(cluster.ref), SF.MultiPoint, wkt, source)


def _point(long: Decimal, lat: Decimal) -> str:
    return f"{long:f} {lat:f}"


def _geometry(b: "Builder", s: str, kind: str, wkt: str, source: str) -> None:
    geometry = f"{s}#geometry"
    b.add(s, GEO.hasGeometry, geometry)
    b.types(geometry, GEO.Geometry, kind)
    b.add(geometry, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral))
    b.add(geometry, DCTERMS.source, source)
