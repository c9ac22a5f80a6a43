/* Renders the service's BPMN processes with the bpmn-js viewer (read-only): the main
   process, then each process a call activity calls (its own file, or its own diagram in the
   same file). Every container names the JSON script holding its XML (data-source) and, for a
   called process, the diagram to open (data-diagram). The text list of steps stays on the
   page for screen readers and for when a diagram cannot be drawn. */
(function () {
  "use strict";
  function hide(holder, state) {
    var figure = holder.closest("figure");
    if (figure) { figure.hidden = true; }
    if (state) { holder.setAttribute("data-state", state); }
  }
  function draw(holder) {
    var source = document.getElementById(holder.getAttribute("data-source"));
    if (!source || typeof window.BpmnJS !== "function") {
      hide(holder);
      return;
    }
    var viewer = new window.BpmnJS({ container: holder });
    var diagram = holder.getAttribute("data-diagram") || undefined;
    viewer.importXML(JSON.parse(source.textContent), diagram).then(function () {
      viewer.get("canvas").zoom("fit-viewport");
      holder.setAttribute("data-state", "ready");
    }).catch(function () {
      hide(holder, "failed");
    });
  }
  function start() {
    var holders = document.querySelectorAll(".bpmn-diagram[data-source]");
    for (var i = 0; i < holders.length; i += 1) { draw(holders[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
