"""Why one tweet: its three probabilities (a pie), and a slice's binary model token by token."""

from __future__ import annotations

from dash import Input, Output, State, callback, ctx, no_update

from models.sentiment.labels import LABELS
from models.sentiment.selection import SelectionError, check_label
from webapp import ids as shell_ids
from webapp import services
from webapp.components import sentiment_figures as figs
from webapp.components.theme import themed
from webapp.roles import acting_user
from webapp.views.sentiment.common import checked_row, checked_run, custom, guarded
from webapp.views.sentiment.ids import EXPLAIN, PIE, RUN, TABLE, TRIANGLE, TWEET


@callback(
    Output(TWEET, "data"),
    inputs={
        "cell_clicked": Input(TABLE, "cellClicked"),
        "triangle_click": Input(TRIANGLE, "clickData"),
        "pie_click": Input(PIE, "clickData"),
        "current": State(TWEET, "data"),
        "run_info": State(RUN, "data"),
    },
    prevent_initial_call=True,
)
@guarded
def pick_tweet(cell_clicked, triangle_click, pie_click, current, run_info):
    """A tweet clicked in the table or the triangle is explained; a pie slice picks the binary model."""
    if ctx.triggered_id == PIE:
        if not pie_click or not current:
            return no_update
        return {**current, "label": check_label(pie_click["points"][0].get("label"))}
    if ctx.triggered_id == TABLE and cell_clicked and cell_clicked.get("rowId") is not None:
        row = cell_clicked["rowId"]
    elif ctx.triggered_id == TRIANGLE and triangle_click and triangle_click["points"][0].get("customdata") is not None:
        row = custom(triangle_click["points"][0])[0]
    else:
        return no_update
    workspace = services.sentiment()
    run = workspace.run(checked_run(workspace, run_info)[1], acting_user())
    row = checked_row(row, len(run.scores))
    return {"row": row, "label": LABELS[int(run.scores["predicted"].iat[row])]}


@callback(
    output={"pie": Output(PIE, "figure"), "explain": Output(EXPLAIN, "figure")},
    inputs={
        "tweet": Input(TWEET, "data"),
        "run_info": Input(RUN, "data"),
        "theme": State(shell_ids.THEME_STORE, "data"),
    },
)
@guarded
def render_tweet(tweet, run_info, theme):
    if not tweet or not run_info:
        return {
            "pie": themed(figs.empty_figure("Click a tweet in the table or the triangle"), theme),
            "explain": themed(figs.empty_figure("…then a pie slice to explain that class"), theme),
        }
    workspace = services.sentiment()
    run = workspace.run(checked_run(workspace, run_info)[1], acting_user())
    if not isinstance(tweet, dict):
        raise SelectionError("Click a tweet in the table or the triangle.")
    scores = run.scores.iloc[checked_row(tweet.get("row"), len(run.scores))]
    proba = scores[["p_negative", "p_neutral", "p_positive"]].to_numpy(float)
    explanation = run.model.explain(scores["text"], check_label(tweet.get("label")))
    return {
        "pie": themed(figs.probability_pie(proba, scores["text"]), theme),
        "explain": themed(figs.explanation_figure(explanation), theme),
    }
