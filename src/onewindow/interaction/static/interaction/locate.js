// 使用我的位置: fill the request's coordinates from the browser (progressive enhancement —
// without a script, or without permission, the coordinates can still be typed or left out).
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  var status = document.querySelector("[data-locate-status]");
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  if (!button || !lat || !lng || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    if (status) status.textContent = button.dataset.busy || "";
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        button.disabled = false;
        if (status) status.textContent = button.dataset.done || "";
      },
      function () {
        button.disabled = false;
        if (status) status.textContent = button.dataset.failed || "";
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });
})();
