// Laurel public pages: a progressive enhancement. Without it every button is a plain link.
// Copy buttons ([data-copy]) are hidden until this script shows them.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var label = button.textContent;
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = "Link copied";
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();

// The verify page: a chosen file's bytes go, base64-encoded, into the form's hidden
// file_base64 field, and the form is submitted as usual: the server renders the result, the
// same way as for pasted text (which needs no script at all).
(function () {
  "use strict";
  var form = document.getElementById("verify-form");
  var file = document.getElementById("verify-file");
  var data = document.getElementById("verify-file-data");
  var result = document.getElementById("verify-result");
  if (!form || !file || !data || !result) { return; }
  // A result just rendered: take the keyboard (and a screen reader) to its verdict.
  var verdict = document.getElementById("verdict");
  if (verdict) { verdict.focus(); }
  function base64(buffer) {
    var bytes = new Uint8Array(buffer);
    var chunks = [];
    for (var i = 0; i < bytes.length; i += 0x8000) {
      chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    }
    return btoa(chunks.join(""));
  }
  // Coming back to the page (history) finds the file input usable again.
  window.addEventListener("pageshow", function () { file.disabled = false; });
  form.addEventListener("submit", function (event) {
    var chosen = file.files && file.files[0];
    if (!chosen) { data.value = ""; return; }
    event.preventDefault();
    result.textContent = "Checking " + chosen.name + "…";
    chosen.arrayBuffer().then(function (buffer) {
      data.value = base64(buffer);
      // The file itself is not sent (a plain form sends only its name).
      file.disabled = true;
      form.submit();
    }).catch(function () {
      result.textContent = "The file could not be read. Choose it again, or paste the credential instead.";
    });
  });
})();

// Console: a file chosen in an <input type=file data-fill=ID> is read into the textarea with
// that id (and its name into the field data-name names), so the form posts plain text and
// works the same when the report is pasted instead.
(function () {
  var inputs = document.querySelectorAll("input[type=file][data-fill]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () {
      var chosen = input.files && input.files[0];
      var target = document.getElementById(input.getAttribute("data-fill"));
      if (!chosen || !target) { return; }
      chosen.text().then(function (text) {
        target.value = text;
        var name = document.getElementById(input.getAttribute("data-name") || "");
        if (name) { name.value = chosen.name; }
      });
    });
  });
})();

// Console: an image chosen in <input type=file data-upload=URL data-csrf=TOKEN> is sent as the
// request body (PNG or SVG), then the page reloads to show it; a refusal is shown as said.
(function () {
  var inputs = document.querySelectorAll("input[type=file][data-upload]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () {
      var chosen = input.files && input.files[0];
      var status = document.getElementById("image-status");
      if (!chosen) { return; }
      if (status) { status.textContent = "Uploading " + chosen.name + "…"; }
      chosen.arrayBuffer().then(function (bytes) {
        return fetch(input.getAttribute("data-upload"), {
          method: "POST",
          headers: { "Content-Type": chosen.type, "X-CSRF-Token": input.getAttribute("data-csrf") },
          body: bytes,
          credentials: "same-origin"
        });
      }).then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) {
            var detail = text;
            try { detail = JSON.parse(text).detail || text; } catch (ignored) { /* plain text */ }
            throw new Error(detail);
          }
          window.location.reload();
        });
      }).catch(function (error) {
        if (status) { status.textContent = "Not saved: " + error.message; }
      });
    });
  });
})();

// Console: a form marked data-live-preview is previewed as it is typed in: a moment after the
// last keystroke it is posted with action=preview (which saves nothing) and the page's
// #live-preview is replaced by the answer's. Without script the Preview button does the same.
(function () {
  var form = document.querySelector("form[data-live-preview]");
  var target = document.getElementById("live-preview");
  if (!form || !target || !window.fetch || !window.DOMParser) { return; }
  var timer = null;
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var body = new URLSearchParams(new FormData(form));
      body.set("action", "preview");
      fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("live-preview");
          var errors = page.querySelectorAll("span.error");
          if (fresh && fresh.children.length) {
            target.replaceChildren.apply(target, Array.prototype.slice.call(fresh.childNodes));
          } else if (errors.length) {
            target.textContent = "Not previewed: " + errors[0].textContent;
          } else if (fresh) {
            target.replaceChildren();
          }
        });
    }, 600);
  });
})();

// Console: the badge form's rule builder shows only the part of the chosen kind of rule
// (without script every part shows, and the chosen radio button decides).
(function () {
  var builder = document.getElementById("rule-builder");
  if (!builder) { return; }
  function show() {
    var chosen = builder.querySelector("input[name=rule_kind]:checked");
    var kind = chosen ? chosen.value : "";
    Array.prototype.forEach.call(builder.querySelectorAll("[data-rule-kind]"), function (part) {
      part.hidden = part.getAttribute("data-rule-kind") !== kind;
    });
  }
  builder.addEventListener("change", show);
  show();
})();

// Console: choosing a colour in the issuer form unticks "no brand colour".
(function () {
  var colour = document.getElementById("brand_color");
  var none = document.getElementById("no_brand_color");
  if (!colour || !none) { return; }
  colour.addEventListener("input", function () { none.checked = false; });
})();

// Console: the email template editor (form[data-preview]) refreshes its preview while one
// types: it posts the form with action=preview, as its Preview button does, and puts the
// answer's preview section in place. Without the script the button does the same.
(function () {
  var form = document.querySelector("form[data-preview]");
  var target = document.getElementById("preview");
  if (!form || !target || !window.fetch || !window.DOMParser || !window.URLSearchParams) { return; }
  var timer = null;
  var latest = 0;
  function refresh() {
    var data = new URLSearchParams(new FormData(form));
    data.set("action", "preview");
    var mine = ++latest;
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== latest) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("preview");
        if (fresh) { target.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* the Preview button still works */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();

// Console: the pathway editor's "how many" box ([data-at-least-for=SELECT]) shows only while
// its menu says "at least this many" (without script it always shows, and the server ignores
// the number for "all of these").
(function () {
  var parts = document.querySelectorAll("[data-at-least-for]");
  Array.prototype.forEach.call(parts, function (part) {
    var menu = document.getElementById(part.getAttribute("data-at-least-for"));
    if (!menu) return;
    function show() { part.hidden = menu.value !== "at_least"; }
    menu.addEventListener("change", show);
    show();
  });
})();
