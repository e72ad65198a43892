// Size limit for plain dcc.Upload drop zones: inside an element with data-max-bytes and
// data-reject-store, a file over the limit is stopped here, before dcc.Upload base64-encodes it
// into a request the server would refuse, and the store is told so the page can say why.
// (dcc.Upload's own max_size drops such a file silently.)
(function () {
    function check(event, files) {
        const zone = event.target && event.target.closest ? event.target.closest("[data-max-bytes]") : null;
        if (!zone || !files || !files.length) {
            return;
        }
        const file = files[0];
        if (file.size <= Number(zone.dataset.maxBytes)) {
            return;
        }
        event.stopPropagation();
        event.preventDefault();
        if (event.target.value) {
            event.target.value = "";
        }
        window.dash_clientside.set_props(zone.dataset.rejectStore, {
            data: {name: file.name, size: file.size, limit: Number(zone.dataset.maxBytes), at: Date.now()},
        });
    }
    document.addEventListener("change", (event) => check(event, event.target.files), true);
    document.addEventListener("drop", (event) => check(event, event.dataTransfer && event.dataTransfer.files), true);
})();
