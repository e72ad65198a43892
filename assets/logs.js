// The logs page's clientside callbacks (webapp/views/logs). Component ids are not written here:
// each function gets the ids it needs from the page's ids module, through the store
// ids.CLIENT (CLIENT_CONFIG) passed as the callback's last State.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    logs: {
        // A click on a bar or slice → {dim, value, additive}: which filter it sets and to what.
        click: function () {
            const dc = window.dash_clientside;
            const config = arguments[arguments.length - 1];
            const trig = dc.callback_context.triggered;
            if (!config || !trig.length || !trig[0].value || !trig[0].value.points) {
                return dc.no_update;
            }
            const id = trig[0].prop_id.split(".")[0];
            const point = trig[0].value.points[0];
            return {
                dim: config.dims[id],
                value: point[config.fields[id]],
                additive: !!(window.glassbox && window.glassbox.additive),
                t: Date.now(),
            };
        },

        // The view's source as {source}, only when it changed: a click keeps it, so nothing that depends on the
        // source alone (the prepare request, the share note) asks the server again.
        viewSource: function (view, held) {
            const source = view ? view.source : undefined;
            if (source === undefined || (held && held.source === source)) {
                return window.dash_clientside.no_update;
            }
            return {source: source};
        },

        // Read the next chunk of the chosen file and say how much the server has acknowledged.
        upload: async function (start, ack, config) {
            const dc = window.dash_clientside, trig = dc.callback_context.triggered_id;
            const first = trig === config.uploadStart;
            const state = first ? start : ack;
            if (!state || !state.id) {
                return [dc.no_update, dc.no_update, dc.no_update, dc.no_update];
            }
            const pending = window.glassbox.uploads || {};
            const file = pending[state.id];
            const mib = (n) => (n / 1048576).toFixed(1);
            if (state.error || state.done || !file) {
                delete pending[state.id];
                const shown = state.done ? "mt-1" : "mt-1 d-none";
                return [dc.no_update, state.done ? 100 : 0, state.done ? "uploaded, parsed" : "", shown];
            }
            if (first) {  // first the header alone: the server checks the size before any byte is sent
                return [{id: state.id, name: file.name, total: file.size, offset: 0, data: ""}, 0,
                        `${file.name}: starting`, "mt-1"];
            }
            const offset = state.received;
            const size = parseInt(state.chunk || "4194304", 10);
            const url = await new Promise((resolve, reject) => {
                const reader = new FileReader();
                reader.onload = () => resolve(reader.result);
                reader.onerror = () => reject(reader.error);
                reader.readAsDataURL(file.slice(offset, offset + size));
            });
            const data = url.slice(url.indexOf(",") + 1);
            const end = Math.min(offset + size, file.size);
            const percent = file.size ? Math.floor(100 * offset / file.size) : 0;
            const label = end >= file.size
                ? `${file.name}: last ${mib(end - offset)} MiB, then parsing…`
                : `${file.name}: ${mib(offset)} of ${mib(file.size)} MiB`;
            return [{id: state.id, name: file.name, total: file.size, offset: offset, data: data},
                    percent, label, "mt-1"];
        },

        // Live mode follows a server file only: elsewhere the switch is off, disabled, and says why.
        liveSwitch: function (source, config) {
            const followable = typeof source === "string" && !!config && source.startsWith(config.pathPrefix);
            let why = "";
            if (!followable) {
                why = config && config.serverFiles
                    ? "Live follows a server file: pick one in the source menu."
                    : "Live needs GLASSBOX_LOG_PATHS: the server's log files to follow.";
            }
            return [!followable, followable ? window.dash_clientside.no_update : false, why];
        },

        tickDisabled: function (on) {
            return !on;
        },
    },
});
