// Sentiment page: the relabel buttons say how many tweets a click would change, before the click.
// "checked rows" counts only the checked rows of the table page on screen (what the server relabels,
// models/sentiment/selection.py: page_of + visible_checked); "whole selection" every row after the filter.
window.dash_clientside = window.dash_clientside || {};
window.dash_clientside.sentiment = {
    relabelCounts: function (checked, shown, pages) {
        const rows = shown || [];
        let page = rows;
        if (pages && Number.isInteger(pages.currentPage) && pages.pageSize > 0) {
            page = rows.slice(pages.currentPage * pages.pageSize, (pages.currentPage + 1) * pages.pageSize);
        }
        const ticked = new Set((Array.isArray(checked) ? checked : []).map((r) => String(r.row)));
        const visible = page.filter((r) => ticked.has(String(r.row))).length;
        const n = (k) => k.toLocaleString("en-US");
        return [
            `${n(visible)} checked row${visible === 1 ? "" : "s"}`,
            `whole selection (${n(rows.length)})`,
        ];
    },
};
