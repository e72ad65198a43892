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
// Dash 4's dropdown puts a read-only, aria-hidden <input tabindex=0> before its trigger button (tabindex -1) that
// only passes focus on to the trigger; the trigger's blur handler puts the input back to tabindex 0. Focusable yet
// hidden from screen readers is what axe's aria-hidden-focus forbids. Swap the two: the trigger, a real button with
// the dropdown's label and value, takes the tab stop, and the hidden input leaves the tab order, again after each
// blur of the trigger (a bubbling listener on document runs after React's own, on its root).
function glassboxDropdownTabOrder(input) {
    const trigger = input.nextElementSibling;
    if (!trigger || !trigger.matches("button.dash-dropdown")) {
        return;
    }
    if (input.tabIndex !== -1) {
        input.tabIndex = -1;
    }
    if (!trigger.disabled && trigger.tabIndex !== 0) {
        trigger.tabIndex = 0;
    }
}
document.addEventListener("focusout", (event) => {
    const input = event.target.previousElementSibling;
    if (event.target.matches && event.target.matches("button.dash-dropdown") && input
        && input.matches("input.dash-dropdown-focus-target")) {
        glassboxDropdownTabOrder(input);
    }
});

// dbc.Tabs renders its tab links without an event key, so react-bootstrap gives every one the same
// id "<container id>-tab-null", aria-controls="<container id>-tabpane-null" (no such element), no aria-selected
// and tabindex -1 (its arrow-key navigation finds no keyed tab either, so the keyboard cannot reach them), while
// each pane says aria-labelledby="<container id>-tab-<tab_id>". Link each tab to its pane, in order, both ways;
// put every tab in the tab order (Enter opens it) and keep aria-selected on the active one as it changes.
function glassboxTabsState(nav) {
    nav.querySelectorAll(":scope > .nav-item > [role=tab]").forEach((link) => {
        const selected = String(link.classList.contains("active"));
        if (link.getAttribute("aria-selected") !== selected) {
            link.setAttribute("aria-selected", selected);
        }
    });
}
function glassboxLinkTabs(nav) {
    const content = nav.nextElementSibling;
    if (nav.dataset.glassboxTabs || !content || !content.classList.contains("tab-content")) {
        return;
    }
    nav.dataset.glassboxTabs = "linked";
    nav.querySelectorAll(":scope > .nav-item > [role=tab]").forEach((link, i) => {
        const pane = content.children[i];
        if (!pane || !pane.id) {
            return;
        }
        link.setAttribute("aria-controls", pane.id);
        const labelledBy = pane.getAttribute("aria-labelledby");
        if (labelledBy) {
            link.id = labelledBy;
        }
        link.tabIndex = 0;
    });
    glassboxTabsState(nav);
    new MutationObserver(() => glassboxTabsState(nav)).observe(nav, {
        subtree: true, attributes: true, attributeFilter: ["class"],
    });
}

function glassboxLabelControls() {
    // A <label for> pointing at a component's wrapper (a slider's <div>, a progress bar) labels nothing: pass its
    // text on to the controls inside the wrapper.
    document.querySelectorAll("label[for]").forEach((label) => {
        const root = document.getElementById(label.htmlFor);
        if (!root || ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(root.tagName)) {
            return;
        }
        const name = label.textContent.trim();
        root.querySelectorAll("[role=slider]:not([aria-label]), input:not([aria-label])").forEach((el) => {
            el.setAttribute("aria-label", el.getAttribute("role") === "slider" ? name : `${name} value`);
        });
        // dbc.Progress takes no aria props: its bar (the element itself or inside it) is named by the label too.
        [root, ...root.querySelectorAll("[role=progressbar]")].forEach((el) => {
            if (el.getAttribute("role") === "progressbar" && el.getAttribute("aria-label") !== name) {
                el.setAttribute("aria-label", name);
            }
        });
    });
    document.querySelectorAll("input.dash-dropdown-focus-target").forEach(glassboxDropdownTabOrder);
    document.querySelectorAll(".nav-tabs[role=tablist]:not([data-glassbox-tabs])").forEach(glassboxLinkTabs);
    document.querySelectorAll("input[type=file]:not([aria-label])").forEach((el) => {
        const zone = el.closest("[data-upload-store]") || el.parentElement;
        const text = zone ? zone.textContent.trim() : "";
        el.setAttribute("aria-label", text || "Upload a file");
    });
}
// New controls, and a dropdown enabled or disabled (React then rewrites its hidden input's tabindex).
let glassboxLabelPending = false;
new MutationObserver(() => {
    if (!glassboxLabelPending) {
        glassboxLabelPending = true;
        window.requestAnimationFrame(() => { glassboxLabelPending = false; glassboxLabelControls(); });
    }
}).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["disabled", "tabindex"],
});
