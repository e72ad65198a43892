"""Gaussian-kernel local polynomial regression, vectorised over every evaluation point at once.

At each point x0 a polynomial of the chosen order is fitted by least squares with weights
exp(-½((x - x0)/h)²); its value at x0 is the fit. Order 0 is the Nadaraya–Watson average; a
bandwidth far wider than the data makes all weights equal, which is plain polynomial regression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KernelFit:
    """The fit on a grid.

    Attributes:
        x: Evaluation points.
        fit: The local polynomial's value at each point.
        sd: Kernel-weighted standard deviation of the residuals around each point (for ±1 sd bands).
    """

    x: np.ndarray
    fit: np.ndarray
    sd: np.ndarray


def gaussian_weights(x: np.ndarray, centres: np.ndarray, bandwidth: float) -> np.ndarray:
    """Weights of every data point (columns) for every centre (rows)."""
    return np.exp(-0.5 * ((np.asarray(x)[None, :] - np.asarray(centres)[:, None]) / bandwidth) ** 2)


def local_polynomial(x, y, x_eval, bandwidth: float, order: int = 1) -> np.ndarray:
    """The kernel-weighted polynomial fit evaluated at ``x_eval``.

    Raises:
        ValueError: a non-positive bandwidth, a negative order, or fewer points than the order needs.
    """
    x, y, x_eval = (np.asarray(a, dtype=np.float64) for a in (x, y, x_eval))
    if not bandwidth > 0:
        raise ValueError(f"bandwidth must be positive, not {bandwidth}")
    if order < 0:
        raise ValueError(f"order must be 0 or more, not {order}")
    if len(x) < order + 1:
        raise ValueError(f"an order-{order} fit needs at least {order + 1} points, not {len(x)}")
    # Work in standardised units so powers of (x - x0) stay well conditioned for any data scale.
    centre, scale = x.mean(), x.std() or 1.0
    u, u_eval, h = (x - centre) / scale, (x_eval - centre) / scale, bandwidth / scale
    weights = gaussian_weights(u, u_eval, h)  # (m, n)
    weights /= weights.max(axis=1, keepdims=True)  # far from every point, keep the nearest ones' say
    offsets = u[None, :] - u_eval[:, None]  # (m, n)
    basis = offsets[..., None] ** np.arange(order + 1)  # (m, n, p+1)
    gram = np.einsum("mn,mnj,mnk->mjk", weights, basis, basis)
    moment = np.einsum("mn,mnj,n->mj", weights, basis, y)
    # A whisper of ridge keeps the solve defined where too few points carry weight.
    ridge = 1e-13 * np.trace(gram, axis1=1, axis2=2)[:, None, None] * np.eye(order + 1)
    return np.linalg.solve(gram + ridge, moment[..., None])[:, 0, 0]


def kernel_fit(x, y, bandwidth: float, order: int = 1, grid: int = 200, pad: float = 0.15) -> KernelFit:
    """The fit on an even grid spanning the data (plus ``pad`` of its range each side, to show extrapolation)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    low, high = x.min(), x.max()
    span = (high - low) or 1.0
    grid_x = np.linspace(low - pad * span, high + pad * span, grid)
    fit = local_polynomial(x, y, grid_x, bandwidth, order)
    residuals = y - local_polynomial(x, y, x, bandwidth, order)
    weights = gaussian_weights(x, grid_x, bandwidth) + 1e-300
    sd = np.sqrt((weights * residuals[None, :] ** 2).sum(axis=1) / weights.sum(axis=1))
    return KernelFit(grid_x, fit, sd)


def noisy_sample(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The page's starting points: a smooth curve plus noise."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 10, n))
    return x, np.sin(x) + 0.1 * x + rng.normal(0, 0.3, n)


# What the page lets a user do with the fit: bandwidth in range and shown to three digits, points edited by clicks.

BANDWIDTH_RANGE = (10**-1.3, 1000.0)  # the bandwidth slider's ends (it moves in log10)


def rounded_bandwidth(bandwidth: float) -> float:
    """The bandwidth as the page shows it: three significant digits."""
    return float(f"{bandwidth:.3g}")


def slider_position(typed: float) -> float:
    """A typed bandwidth as the slider's position (its log10), clipped into ``BANDWIDTH_RANGE``."""
    return float(np.log10(np.clip(float(typed), *BANDWIDTH_RANGE)))


def sample_points() -> dict:
    """The starting points as the page stores them: ``{"x": [...], "y": [...]}`` to three decimals."""
    x, y = noisy_sample()
    return {"x": x.round(3).tolist(), "y": y.round(3).tolist()}


def pick(selected: int | None, index: int) -> int | None:
    """Clicking a point picks it up; clicking the picked point again puts it down."""
    return None if selected == index else index


def place_point(points: dict, selected: int | None, x: float, y: float) -> dict:
    """A click at (x, y): the picked point moves there, or, with none picked, a new point is added there."""
    x, y = round(float(x), 3), round(float(y), 3)
    xs, ys = list(points["x"]), list(points["y"])
    if selected is not None and selected < len(xs):
        xs[selected], ys[selected] = x, y
    else:
        xs.append(x)
        ys.append(y)
    return {"x": xs, "y": ys}
