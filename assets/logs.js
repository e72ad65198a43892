// The logs page's clientside callbacks (webapp/views/logs). Component ids are not written here:
// each function gets the ids it needs from the page's ids module, through the store
// ids.CLIENT (CLIENT_CONFIG) passed as the callback's last State.

// A click on a chart or a chip, decided here as models/logs/view.py decides it (``toggle``, ``with_range``, and
// ``url_state`` + ``encode_hash`` for the fragment), so a click sets the view without a round trip to the server
// first: the drawing is the one request a click makes. tests/unit/logs/test_view_js.py runs this file in Node against the
// Python functions, case by case, so the two cannot drift apart.
window.glassboxLogsView = (function () {
    const LISTS = ["days", "hours", "products", "categories", "statuses"];
    const INTS = new Set(["hours", "statuses"]);
    const order = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    const sortedUnique = (values) => [...new Set(values)].sort(order);
    // int(float(value)): a number, or text that reads as one; anything else (null, "", true) is NaN, not 0.
    const asInt = (value) =>
        typeof value === "number" || (typeof value === "string" && value.trim() !== "")
            ? Math.trunc(Number(value))
            : NaN;
    const ENTITIES = {amp: "&", lt: "<", gt: ">"};

    // Filters.from_dict: each list without repeats and sorted; hours (0-23) and statuses as integers.
    function normal(filters) {
        const out = {start: filters.start ?? null, end: filters.end ?? null};
        for (const key of LISTS) {
            let values = (filters[key] || []).map((v) => (INTS.has(key) ? asInt(v) : String(v)));
            if (INTS.has(key)) {
                values = values.filter((v) => Number.isFinite(v) && (key !== "hours" || (v >= 0 && v < 24)));
            }
            out[key] = sortedUnique(values);
        }
        return out;
    }

    // chart_value: the figure builders escape &, < and > in labels (html.escape), and a click reports the label
    // as drawn; one pass, so "&amp;lt;" comes back as "&lt;".
    function chartValue(value) {
        return typeof value === "string" ? value.replace(/&(amp|lt|gt);/g, (_, name) => ENTITIES[name]) : value;
    }

    // toggle: add or remove one value of a dimension (replace the selection when not additive), back to page 0.
    // null when the value cannot be one of the dimension's (not a number for hours or statuses).
    function toggle(view, dimension, value, additive) {
        if (!LISTS.includes(dimension)) {
            return null;
        }
        const clicked = INTS.has(dimension) ? asInt(value) : String(value);
        if (INTS.has(dimension) && !Number.isFinite(clicked)) {
            return null;
        }
        const filters = normal(view.filters || {});
        const current = filters[dimension];
        let next;
        if (current.includes(clicked)) {
            next = current.filter((v) => v !== clicked);
        } else {
            next = additive ? current.concat([clicked]) : [clicked];
        }
        filters[dimension] = sortedUnique(next);
        return Object.assign({}, view, {filters: filters, page: 0});
    }

    // urllib.parse.quote_plus: what encodeURIComponent leaves as is but Python escapes, and spaces as "+".
    function quotePlus(text) {
        return encodeURIComponent(text)
            .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
            .replace(/%20/g, "+");
    }

    // viewstate._item: "%" and the separator escaped in a list item, so an item holding "~" comes back whole.
    function listItem(value) {
        return String(value).replace(/%/g, "%25").replace(/~/g, "%7E");
    }

    // url_state + encode_hash: "#source=…&granularity=…&hours=3~7"; empty values left out. null for a label
    // encodeURIComponent refuses (a lone surrogate, as Python's quote_plus refuses it): the view changes all the same.
    function urlHash(view) {
        const filters = view.filters || {};
        const pairs = [["source", view.source], ["granularity", view.granularity], ["page", view.page || null]];
        for (const key of ["start", "end", ...LISTS]) {
            pairs.push([key, filters[key]]);
        }
        const parts = [];
        for (const [key, value] of pairs) {
            if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) {
                continue;
            }
            const text = Array.isArray(value) ? value.map(listItem).join("~") : String(value);
            try {
                parts.push(quotePlus(key) + "=" + quotePlus(text));
            } catch (error) {
                return null;
            }
        }
        return parts.length ? "#" + parts.join("&") : "";
    }

    // with_range(view, None, None): the range chip removed.
    function withoutRange(view) {
        const filters = Object.assign(normal(view.filters || {}), {start: null, end: null});
        return Object.assign({}, view, {filters: filters, page: 0});
    }

    return {chartValue, toggle, withoutRange, urlHash};
})();

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    logs: {
        // A click on a bar or slice → the next view and its URL fragment (window.glassboxLogsView above).
        click: function () {
            const dc = window.dash_clientside, logsView = window.glassboxLogsView;
            const view = arguments[arguments.length - 1], config = arguments[arguments.length - 2];
            const trig = dc.callback_context.triggered;
            const nothing = [dc.no_update, dc.no_update];
            if (!config || !view || !trig.length || !trig[0].value || !trig[0].value.points) {
                return nothing;
            }
            const id = trig[0].prop_id.split(".")[0];
            const point = trig[0].value.points[0];
            const additive = !!(window.glassbox && window.glassbox.additive);
            const next = logsView.toggle(view, config.dims[id], logsView.chartValue(point[config.fields[id]]), additive);
            if (!next) {
                return nothing;
            }
            return [next, logsView.urlHash(next) ?? dc.no_update];
        },

        // A click on a filter chip → the view without that filter, and its URL fragment. Chips a drawing adds
        // (n_clicks still empty) change nothing.
        chip: function (clicks, view) {
            const dc = window.dash_clientside, logsView = window.glassboxLogsView;
            const trig = dc.callback_context.triggered;
            const chip = dc.callback_context.triggered_id;
            if (!view || !chip || !trig.length || !trig[0].value) {
                return [dc.no_update, dc.no_update];
            }
            const next = chip.dim === "range" ? logsView.withoutRange(view) : logsView.toggle(view, chip.dim, chip.value, true);
            return next ? [next, logsView.urlHash(next) ?? dc.no_update] : [dc.no_update, dc.no_update];
        },

        // The URL fragment, passed on to the server only when it says something the view does not: a link, the
        // browser's back and forward. A click or a gesture sets the view and its fragment together, and reading
        // the fragment back would cost each of them a request. Stamped, so the same fragment twice still counts.
        fragment: function (hash, view) {
            if (view && (hash || "") === window.glassboxLogsView.urlHash(view)) {
                return window.dash_clientside.no_update;
            }
            return {hash: hash || "", at: performance.now()};
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
