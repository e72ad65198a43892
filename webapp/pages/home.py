"""Home: what each page is for, with links."""

import dash
import dash_bootstrap_components as dbc
from dash import html

dash.register_page(__name__, path="/", name="Home", order=0, title="Glassbox")

SECTIONS = (
    (
        "Logs",
        "/logs",
        "home-card-logs",
        "Web-server access logs (Apache/Nginx) as traffic trends, seasonality and outliers, with daily, hourly, "
        "product, category and status-code views that all filter each other.",
    ),
    (
        "Sentiment",
        "/sentiment",
        "home-card-sentiment",
        "A bag-of-words logistic-regression model of financial tweets: where it errs and why, which labels look "
        "wrong, fixing them and retraining.",
    ),
    (
        "NN Builder",
        "/nn-builder",
        "home-card-nn-builder",
        "Design a Keras network in the browser, train it live and look inside it: loss curves, weight, bias and "
        "activation distributions per layer and epoch, saturation and dead units.",
    ),
    (
        "Explore",
        "/explore",
        "home-card-explore",
        "The seed talk's three small explainers: a normal density, kernel regression you can push around, and the "
        "S&P 500's trend over any interval.",
    ),
)


def _card(title: str, href: str, card_id: str, text: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H4(title, className="card-title"),
                    html.P(text, className="card-text"),
                    dbc.Button(f"Open {title}", href=href, color="primary", id=f"{card_id}-open"),
                ]
            ),
            id=card_id,
            class_name="h-100",
        ),
        md=4,
        class_name="mb-3",
    )


layout = html.Div(
    [
        html.H1("Glassbox", id="home-title"),
        html.P(
            "Open up the black boxes a data team lives with: its web-server logs, its text classifier and its "
            "neural networks, through interactive, linked views.",
            className="lead",
        ),
        dbc.Row([_card(*section) for section in SECTIONS]),
    ]
)
