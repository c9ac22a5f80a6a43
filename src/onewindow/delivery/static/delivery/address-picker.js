// Fills the application form's mailing address (and the recipient's phone and name, where
// the form has them) from an address book entry. Without JavaScript the picker stays hidden.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var box = document.querySelector("[data-address-picker]");
    if (!box) return;
    var select = box.querySelector("select");
    var status = box.querySelector("[data-address-status]");
    var fields = { address: "mail_address", phone: "recipient_phone", recipient: "recipient_name" };
    box.hidden = false;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (!option || !option.value) return;
      var filled = [];
      Object.keys(fields).forEach(function (key) {
        var input = document.querySelector('[name="' + fields[key] + '"]');
        var value = option.getAttribute("data-" + key);
        if (input && value) {
          input.value = value;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          filled.push(input.labels && input.labels[0] ? input.labels[0].textContent.trim() : fields[key]);
        }
      });
      if (status) status.textContent = filled.length ? (box.getAttribute("data-filled") || "✓") + " " + filled.join("、") : "";
    });
  });
})();
