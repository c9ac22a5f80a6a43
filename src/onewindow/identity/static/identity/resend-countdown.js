// 重新获取验证码: count the seconds down next to the button and keep it disabled until a new
// code may be sent. Without this script the page says how long to wait, and asking too early
// keeps the code field (the code already received still works).
(function () {
  "use strict";
  var note = document.getElementById("resend-wait");
  if (!note) return;
  var form = note.closest("form");
  var button = form ? form.querySelector("button[type=submit]") : null;
  var left = parseInt(note.getAttribute("data-countdown"), 10) || 0;
  var template = note.getAttribute("data-template") || "";
  var done = note.getAttribute("data-done") || "";
  function show() {
    if (left > 0) {
      note.textContent = template.replace("{n}", String(left));
      if (button) button.disabled = true;
    } else {
      note.textContent = done;
      if (button) button.disabled = false;
    }
  }
  show();
  var timer = window.setInterval(function () {
    left -= 1;
    show();
    if (left <= 0) window.clearInterval(timer);
  }, 1000);
})();
