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

// Accessible names for controls Dash renders without one. Dash 4's sliders draw their thumbs
// (role="slider") and value boxes without a label, and dcc.Upload's hidden file input has none: name
// them from the page's own <label for="component id"> (or the upload zone's text), as soon as they
// appear. Screen readers then announce "mu, slider, 0" rather than "slider".
function glassboxLabelControls() {
    // A <label for> pointing at a component's wrapper (a slider's <div>) labels nothing: pass its text on
    // to the controls inside the wrapper.
    document.querySelectorAll("label[for]").forEach((label) => {
        const root = document.getElementById(label.htmlFor);
        if (!root || ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(root.tagName)) {
            return;
        }
        const name = label.textContent.trim();
        root.querySelectorAll("[role=slider]:not([aria-label]), input:not([aria-label])").forEach((el) => {
            el.setAttribute("aria-label", el.getAttribute("role") === "slider" ? name : `${name} value`);
        });
    });
    // Dash 4's dropdown puts a read-only, aria-hidden <input tabindex=0> before its trigger that only passes
    // focus on to the trigger (and sets its own tabindex to -1 once it has). Focusable yet hidden from screen
    // readers is what axe's aria-hidden-focus forbids: take it out of the tab order from the start; Tab then
    // lands on the trigger itself, a real button with the dropdown's label.
    document.querySelectorAll("input.dash-dropdown-focus-target[aria-hidden=true]:not([tabindex='-1'])").forEach((el) => {
        el.tabIndex = -1;
    });
    document.querySelectorAll("input[type=file]:not([aria-label])").forEach((el) => {
        const zone = el.closest("[data-upload-store]") || el.parentElement;
        const text = zone ? zone.textContent.trim() : "";
        el.setAttribute("aria-label", text || "Upload a file");
    });
}
let glassboxLabelPending = false;
new MutationObserver(() => {
    if (!glassboxLabelPending) {
        glassboxLabelPending = true;
        window.requestAnimationFrame(() => { glassboxLabelPending = false; glassboxLabelControls(); });
    }
}).observe(document.documentElement, {childList: true, subtree: true});
