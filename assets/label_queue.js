// Sentiment page, Label tab: keys 1/2/3 answer negative/neutral/positive, space skips, backspace undoes.
// A key clicks the button that shows it (data-queue-key), so keyboard and mouse run the same callbacks
// (webapp/views/sentiment/label_queue.py). Only while the Label tab is on screen, never while typing in a field,
// and never with a modifier held (ctrl+1, alt+backspace ... stay the browser's).
(function () {
    const TYPING = /^(INPUT|TEXTAREA|SELECT)$/;
    document.addEventListener("keydown", function (event) {
        if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) {
            return;
        }
        const panel = document.getElementById("sentiment-queue");
        if (!panel || panel.offsetParent === null) {
            return; // not on the Sentiment page, or the Label tab is hidden
        }
        const target = event.target;
        if (target && (target.isContentEditable || TYPING.test(target.tagName))) {
            return;
        }
        const button = panel.querySelector(`[data-queue-key="${CSS.escape(event.key)}"]`);
        if (!button || button.disabled || button.offsetParent === null) { // hidden: a viewer has no answer keys
            return;
        }
        event.preventDefault(); // space would scroll (or click a focused button twice), backspace go back
        button.click();
    });
})();
