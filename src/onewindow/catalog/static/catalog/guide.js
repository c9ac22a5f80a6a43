/* Renders the service's BPMN process with the bpmn-js viewer (read-only). The text list of
   steps stays on the page for screen readers and for when the diagram cannot be drawn. */
(function () {
  "use strict";
  function start() {
    var holder = document.getElementById("bpmn-diagram");
    var source = document.getElementById("bpmn-xml");
    if (!holder || !source || typeof window.BpmnJS !== "function") {
      if (holder) { holder.closest("figure").hidden = true; }
      return;
    }
    var viewer = new window.BpmnJS({ container: holder });
    viewer.importXML(JSON.parse(source.textContent)).then(function () {
      viewer.get("canvas").zoom("fit-viewport");
      holder.setAttribute("data-state", "ready");
    }).catch(function () {
      holder.closest("figure").hidden = true;
      holder.setAttribute("data-state", "failed");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
