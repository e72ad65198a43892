"""The tokenizer: words, $TICKERS, numbers and negations survive; links do not.

A default scikit-learn token pattern splits ``$AAPL`` into ``aapl``, drops one-letter tokens and
cuts ``don't`` into ``don``; in financial news those are the signal ("$TSLA", "-5%", "isn't").
"""

from __future__ import annotations

import re

_URL = re.compile(r"https?://\S+|www\.\S+")
# Order matters: cashtags, then signed numbers with decimals/thousands and an optional %, then
# words with an optional contraction ("isn't", "company's").
_TOKEN = re.compile(r"\$[a-z][a-z0-9._]*[a-z0-9]|\$[a-z]|[+-]?\d+(?:[.,]\d+)*%?|[a-z]+(?:n't|'[a-z]+)?")


def tokenize(text: str) -> list[str]:
    """Lower-cased tokens of one text, in order.

    >>> tokenize("$AAPL isn't up 5.2% today https://t.co/x")
    ['$aapl', "isn't", 'up', '5.2%', 'today']
    """
    return _TOKEN.findall(_URL.sub(" ", text.lower()))
