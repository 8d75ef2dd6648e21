// The map beside a list of places (ranked clusters, or a cluster's cities): Leaflet over the Natural
// Earth countries shipped with the server (world-atlas TopoJSON), no tile server. The list is the
// data: each item's coordinates, rank and share, so the map and what a screen reader reads agree.
// Markers are keyboard-focusable (Tab) and open their popup with Enter.
"use strict";
(function () {
  const mapEl = document.getElementById("cluster-map");
  const list = document.querySelector("[data-basemap]");
  if (!mapEl || !list || !window.L || !window.topojson) return;
  const items = Array.from(list.querySelectorAll("li[data-lat]"));
  const map = L.map(mapEl, {minZoom: 1, maxZoom: 9, zoomSnap: 0.25, worldCopyJump: true});
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Countries: Natural Earth");
  const points = items.map((li) => L.latLng(+li.dataset.lat, +li.dataset.long));
  if (points.length) {  // the view first: markers get their element once the map has one
    map.fitBounds(L.latLngBounds(points).pad(points.length > 1 ? 0.15 : 0), {maxZoom: 7});
  } else {
    map.setView([25, 10], 1);
  }
  const shares = items.map((li) => parseFloat(li.dataset.share || "0"));
  const largest = Math.max(1, ...shares);
  const markers = items.map((li, i) => {
    const link = li.querySelector("a");
    const rank = li.dataset.rank;
    const size = rank ? Math.round(14 + 30 * Math.sqrt(shares[i] / largest)) : 14;
    const icon = L.divIcon({className: rank ? "place-marker ranked" : "place-marker",
                            html: rank ? "<span>" + rank + "</span>" : "", iconSize: [size, size]});
    const label = rank ? link.textContent + ", rank " + rank : link.textContent;
    const marker = L.marker(points[i],
                            {icon, keyboard: true, title: label, riseOnHover: true, zIndexOffset: -(+rank || 0)});
    const popup = document.createElement("div");
    popup.append(link.cloneNode(true));
    if (rank) popup.append(" · rank " + rank + " in GII 2023" + (li.dataset.share ? ", total share " + li.dataset.share + "%" : ""));
    marker.bindPopup(popup).addTo(map);
    marker.getElement().setAttribute("aria-label", label);
    return marker;
  });
  fetch(list.dataset.basemap).then((r) => r.json()).then((world) => {
    L.geoJSON(topojson.feature(world, world.objects.countries), {
      interactive: false, style: {color: "#aab4bf", weight: 0.6, fillColor: "#eef1f4", fillOpacity: 1},
    }).addTo(map);
    mapEl.dataset.markers = String(markers.length);  // drawn: the tests and the benchmark wait for this
  });
})();
