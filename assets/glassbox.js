// Remember whether the last click held shift/ctrl/cmd: Plotly's click events do not tell Dash,
// and multi-selection on bar charts needs it. Captured before Plotly sees the click.
window.glassbox = window.glassbox || {additive: false};
document.addEventListener("mousedown", function (event) {
    window.glassbox.additive = event.shiftKey || event.ctrlKey || event.metaKey;
}, true);

// Chunked uploads with a real progress bar: dcc.Upload sends a whole file in one request and
// reports nothing. Inside an element with data-upload-store="<store id>", a chosen or dropped
// file is taken here, before dcc.Upload sees it, and that store is told; a clientside callback
// then reads the file chunk by chunk, each chunk sent once the server acknowledged the last.
window.glassbox.uploads = window.glassbox.uploads || {};

function glassboxTakeFile(event, files) {
    const zone = event.target && event.target.closest ? event.target.closest("[data-upload-store]") : null;
    if (!zone || !files || !files.length) {
        return;
    }
    event.stopPropagation();  // dcc.Upload would read the whole file into memory as base64
    event.preventDefault();
    const bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const file = files[0];
    window.glassbox.uploads[id] = file;
    if (event.target.value) {
        event.target.value = "";  // choosing the same file again is a new upload
    }
    window.dash_clientside.set_props(zone.dataset.uploadStore, {
        data: {id: id, name: file.name, size: file.size, chunk: zone.dataset.chunkBytes},
    });
}
document.addEventListener("change", (event) => glassboxTakeFile(event, event.target.files), true);
document.addEventListener("drop", (event) => glassboxTakeFile(event, event.dataTransfer && event.dataTransfer.files), true);
