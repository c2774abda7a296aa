/* The pipeline board's drag and drop (no inline script: the CSP forbids it).
 *
 * A card dropped on another column posts the stage and the card's version to the card's
 * move URL, asking for JSON. The moves allowed come from the page (#board-moves, the
 * workflow table by stage kind); a column that may not take the card is no drop target.
 * A refused move (stale version, not allowed) puts the card back and shows the message.
 * A lost column needs a reason: the opportunity page asks for it.
 */
(function () {
  "use strict";

  function init() {
    var board = document.getElementById("board");
    var movesData = document.getElementById("board-moves");
    if (!board || !movesData) { return; }
    var moves = JSON.parse(movesData.textContent);
    var message = document.getElementById("board-message");
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
    var dragged = null;

    function show(text, kind) {
      message.textContent = text;
      message.classList.remove("d-none", "alert-warning", "alert-success");
      message.classList.add(kind === "ok" ? "alert-success" : "alert-warning");
    }

    function allowed(card, column) {
      var targets = moves[card.dataset.kind] || [];
      return card.closest(".sales-column") !== column && targets.indexOf(column.dataset.kind) >= 0;
    }

    function count(column, delta) {
      var badge = column.querySelector("[data-count]");
      badge.textContent = String(parseInt(badge.textContent, 10) + delta);
    }

    function place(card, column) {
      var from = card.closest(".sales-column");
      column.querySelector("[data-drop]").prepend(card);
      count(from, -1);
      count(column, 1);
      return from;
    }

    function move(card, column) {
      if (column.dataset.kind === "lost") {
        show(board.dataset.lostText);
        window.location.assign(card.dataset.detailUrl + "#lose");
        return;
      }
      var from = place(card, column);
      var body = new URLSearchParams();
      body.set("stage_id", column.dataset.stageId);
      body.set("version", card.dataset.version);
      fetch(card.dataset.moveUrl, {
        method: "POST",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: body,
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          card.dataset.version = String(result.data.version);
          card.dataset.kind = result.data.status;
          if (result.data.status === "won") { card.setAttribute("draggable", "false"); }
          show(result.data.message, "ok");
        } else {
          place(card, from);
          show(result.data.message || board.dataset.failedText);
        }
      }).catch(function () {
        place(card, from);
        show(board.dataset.failedText);
      });
    }

    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest(".sales-card[draggable=true]");
      if (!card) { return; }
      dragged = card;
      card.classList.add("sales-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.id);
    });
    board.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("sales-dragging"); }
      dragged = null;
      board.querySelectorAll(".sales-drop-target").forEach(function (c) {
        c.classList.remove("sales-drop-target");
      });
    });
    board.addEventListener("dragover", function (event) {
      var column = event.target.closest(".sales-column");
      if (dragged && column && allowed(dragged, column)) {
        event.preventDefault();
        column.classList.add("sales-drop-target");
      }
    });
    board.addEventListener("dragleave", function (event) {
      var column = event.target.closest(".sales-column");
      if (column && !column.contains(event.relatedTarget)) {
        column.classList.remove("sales-drop-target");
      }
    });
    board.addEventListener("drop", function (event) {
      var column = event.target.closest(".sales-column");
      if (!dragged || !column || !allowed(dragged, column)) { return; }
      event.preventDefault();
      column.classList.remove("sales-drop-target");
      move(dragged, column);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
