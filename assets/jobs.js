// A background job's watch (webapp/components/job_watch.py): tells a job that answered, or was stopped by
// the user, from one whose process ended without answering, and then shows the "stopped unexpectedly" alert.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    jobs: {
        // The job's state changed: "running" → note the Stop clicks, clear the last result, hide the alert;
        // "ended" → look for the result a moment later (Dash applies it just after the state changes).
        watch: function (state, cancelClicks) {
            const dc = window.dash_clientside;
            if (state === "running") {
                return [{cancel: cancelClicks || 0}, null, true, true];
            }
            if (state === "ended") {
                return [dc.no_update, dc.no_update, false, dc.no_update];
            }
            return [dc.no_update, dc.no_update, dc.no_update, dc.no_update];
        },
        // A moment after the job ended: dead if it neither answered nor was stopped by the user.
        check: function (_n, watch, done, cancelClicks) {
            const dc = window.dash_clientside;
            const dead = !!watch && (done === null || done === undefined) && (cancelClicks || 0) === watch.cancel;
            const out = [!dead, true];
            // The rest are a progress bar's value and label, and a message's children: emptied when dead.
            for (const output of dc.callback_context.outputs_list.slice(out.length)) {
                out.push(dead ? (output.property === "value" ? 0 : "") : dc.no_update);
            }
            return out;
        },
    },
});
