// Remember whether the last click held shift/ctrl/cmd: Plotly's click events do not tell Dash,
// and multi-selection on bar charts needs it. Captured before Plotly sees the click.
window.glassbox = window.glassbox || {additive: false};
document.addEventListener("mousedown", function (event) {
    window.glassbox.additive = event.shiftKey || event.ctrlKey || event.metaKey;
}, true);
