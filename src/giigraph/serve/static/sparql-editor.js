// YASGUI on /sparql, talking to this server's endpoint only: the endpoint cannot be changed, the
// completions that would ask remote services (classes and properties from LOV, prefixes from prefix.cc)
// are off, and prefix completion offers the dataset's own prefixes. Nothing is stored in the browser.
// Without JavaScript the plain form below works as before.
"use strict";
(function () {
  const root = document.getElementById("yasgui");
  if (!root || !window.Yasgui) return;
  const endpoint = new URL(root.dataset.endpoint, location.href).href;
  const prefixes = JSON.parse(root.dataset.prefixes);
  const completers = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.autocompleters = completers.slice();
  Yasgui.defaults.yasqe.autocompleters = completers.slice();
  const prefixList = URL.createObjectURL(new Blob([JSON.stringify(prefixes)], {type: "application/json"}));
  Yasgui.Yasqe.defaults.prefixCcApi = prefixList;
  Yasgui.defaults.yasqe.prefixCcApi = prefixList;
  const yasgui = new Yasgui(root, {
    requestConfig: {endpoint, method: "POST"},
    endpointCatalogueOptions: {getData: () => [{endpoint}], keys: []},
    copyEndpointOnNewTab: false,
    populateFromUrl: false,
    persistenceId: null,
    autofocus: false,
    yasqe: {value: root.dataset.query, persistenceId: null},
    yasr: {prefixes, persistenceId: null},
  });
  document.querySelectorAll(".without-editor").forEach((el) => { el.hidden = true; });
  root.hidden = false;
  root.querySelectorAll(".autocompleteWrapper input").forEach((input) => { input.readOnly = true; });
  const tab = yasgui.getTab();
  document.querySelectorAll("a[data-example]").forEach((a) => {
    a.addEventListener("click", (event) => {
      event.preventDefault();
      tab.setQuery(a.dataset.example);
      tab.query();
      root.scrollIntoView({behavior: "smooth"});
    });
  });
  if (root.dataset.run === "true") tab.query();
})();
