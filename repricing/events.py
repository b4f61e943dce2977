"""An event-study engine: the market model, abnormal returns and their tests.

The method follows MacKinlay (1997), "Event Studies in Economics and Finance",
*Journal of Economic Literature* 35(1). Trading days are counted relative to the
event day 0 on the calendar of the market series. For each firm the market model

    R_t = alpha + beta * Rm_t + e_t,   Var(e_t) = sigma^2

is fitted by OLS on the L1 days of the estimation window (by default days -250 to
-11, which leaves a 10-day gap before day 0). Over an event window of L2 days the
abnormal return is AR_t = R_t - alpha - beta * Rm_t, its covariance matrix is

    V = sigma^2 * (I + X* (X'X)^-1 X*')

with X = [1, Rm] on the estimation window and X* = [1, Rm*] on the event window,
and the cumulative abnormal return CAR = 1'AR has variance 1'V1 (which includes the
sampling error of alpha and beta). The cross-section of firms is tested with the
standardized test of Boehmer, Musumeci and Poulsen (1991, *Journal of Financial
Economics* 30(2)) and with the plain t test of the mean CAR.

Every function is pure: inputs are pandas objects, nothing is read or written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

DEFAULT_ESTIMATION: tuple[int, int] = (-250, -11)
DEFAULT_WINDOWS: dict[str, tuple[int, int]] = {"[0]": (0, 0), "[0,+1]": (0, 1), "[-1,+1]": (-1, 1)}
MIN_ESTIMATION = 60

RESULT_COLUMNS = ["ticker", "window", "days", "car", "variance", "t", "p_normal", "p_t", "alpha", "beta",
                  "sigma", "n_estimation", "estimation_start", "estimation_end"]
SKIPPED_COLUMNS = ["ticker", "reason"]


# --------------------------------------------------------------------------- returns


def returns(prices: pd.DataFrame, price_column: str = "close") -> pd.DataFrame:
    """Simple returns, one column per ticker: r_t = P_t / P_(t-1) - 1.

    P_(t-1) is the ticker's own previous row with a price, so a return after a gap
    spans the gap; a date on which the ticker has no price is NaN (never filled), and
    so is its first row. Rows with a missing price count as no price. The index is the
    sorted union of dates (``date``), the columns the sorted tickers (``ticker``).
    """
    missing = {"date", "ticker", price_column} - set(prices.columns)
    if missing:
        raise ValueError(f"prices lack the column(s) {', '.join(sorted(missing))}")
    table = prices[["date", "ticker", price_column]].dropna(subset=[price_column])
    duplicated = table.duplicated(["date", "ticker"], keep=False)
    if duplicated.any():
        first = table[duplicated].sort_values(["ticker", "date"]).iloc[0]
        raise ValueError(f"{first['ticker']} has more than one price on {pd.Timestamp(first['date']):%Y-%m-%d}")
    table = table.sort_values(["ticker", "date"])
    previous = table.groupby("ticker", sort=False)[price_column].shift(1)
    table = table.assign(_return=table[price_column] / previous - 1)
    wide = table.pivot(index="date", columns="ticker", values="_return").sort_index()
    wide = wide.reindex(columns=sorted(wide.columns))
    wide.index.name, wide.columns.name = "date", "ticker"
    return wide


# --------------------------------------------------------------------------- windows


@dataclass(frozen=True, eq=False)
class EventWindows:
    """Dates of the estimation window and of each event window around ``event_date``.

    ``estimation_offsets`` are the offsets actually used (after any shortening);
    ``shortened`` says whether the estimation window had to start later than asked.
    """

    event_date: pd.Timestamp
    estimation: pd.DatetimeIndex
    windows: dict[str, pd.DatetimeIndex]
    estimation_offsets: tuple[int, int]
    shortened: bool


def event_windows(dates: ArrayLike, event_date: pd.Timestamp | str,
                  estimation: tuple[int, int] = DEFAULT_ESTIMATION,
                  windows: Mapping[str, tuple[int, int]] | None = None,
                  min_estimation: int = MIN_ESTIMATION) -> EventWindows:
    """Map relative trading-day offsets to dates, day 0 being ``event_date``.

    Offset k is the date k positions after day 0 in the sorted trading ``dates``.
    The estimation window runs from offset ``estimation[0]`` to ``estimation[1]``
    inclusive (L1 = estimation[1] - estimation[0] + 1 days); if it would start before
    the first date it starts at the first date instead, and at least
    ``min_estimation`` days must remain. Event windows (a, b) cover offsets a..b.
    Raises ValueError if the event date is not a trading date, if a window runs past
    the data, or if the estimation window overlaps an event window.
    """
    windows = dict(DEFAULT_WINDOWS if windows is None else windows)
    if not windows:
        raise ValueError("no event window given")
    start, end = estimation
    if start > end:
        raise ValueError(f"estimation window {estimation} starts after it ends")
    for label, (a, b) in windows.items():
        if a > b:
            raise ValueError(f"event window {label} = {(a, b)} starts after it ends")
    first_event_offset = min(a for a, _ in windows.values())
    if end >= first_event_offset:
        raise ValueError(f"estimation window {estimation} must end before the first event day "
                         f"({first_event_offset:+d})")
    calendar = pd.DatetimeIndex(dates).dropna().unique().sort_values()
    event_date = pd.Timestamp(event_date)
    if event_date not in calendar:
        raise ValueError(f"event date {event_date:%Y-%m-%d} is not a trading date of the market series")
    zero = int(calendar.get_loc(event_date))

    first = zero + start
    shortened = first < 0
    first = max(first, 0)
    last = zero + end
    length = last - first + 1
    if length < min_estimation:
        raise ValueError(f"estimation window for {event_date:%Y-%m-%d} has only {max(length, 0)} trading days "
                         f"(offsets {first - zero:+d} to {end:+d}); at least {min_estimation} are required")
    mapped: dict[str, pd.DatetimeIndex] = {}
    for label, (a, b) in windows.items():
        if zero + b >= len(calendar) or zero + a < 0:
            raise ValueError(f"event window {label} = {(a, b)} runs past the available dates "
                             f"({calendar[0]:%Y-%m-%d} to {calendar[-1]:%Y-%m-%d})")
        mapped[label] = calendar[zero + a: zero + b + 1]
    return EventWindows(event_date=event_date, estimation=calendar[first: last + 1], windows=mapped,
                        estimation_offsets=(first - zero, end), shortened=shortened)


# --------------------------------------------------------------------------- market model


@dataclass(frozen=True, eq=False)
class MarketModel:
    """OLS fit of R = alpha + beta * Rm + e on the estimation window.

    sigma2 = sum(e^2) / (n - 2); market_mean = mean(Rm); market_ss = sum((Rm - mean)^2);
    xtx_inv = (X'X)^-1 for X = [1, Rm]; start and end are the first and last dates used.
    """

    alpha: float
    beta: float
    sigma2: float
    n: int
    market_mean: float
    market_ss: float
    xtx_inv: np.ndarray = field(repr=False)
    start: object = None
    end: object = None

    @property
    def sigma(self) -> float:
        """Residual standard deviation, sqrt(sigma2)."""
        return float(np.sqrt(self.sigma2))

    @property
    def df(self) -> int:
        """Residual degrees of freedom, n - 2."""
        return self.n - 2


def _paired(stock: pd.Series, market: pd.Series) -> pd.DataFrame:
    """Stock and market returns on the dates both series share (inner join, NaN kept)."""
    return pd.concat({"stock": stock, "market": market}, axis=1, join="inner").astype(float)


def market_model(stock: pd.Series, market: pd.Series) -> MarketModel:
    """Fit the market model by OLS on the dates where both returns are present.

    beta = sum((Rm - mean Rm)(R - mean R)) / market_ss, alpha = mean R - beta * mean Rm,
    sigma2 = sum((R - alpha - beta Rm)^2) / (n - 2). Needs n >= 3 and varying Rm.
    """
    data = _paired(stock, market).dropna()
    n = len(data)
    if n < 3:
        raise ValueError(f"the market model needs at least 3 days with both returns, got {n}")
    r, m = data["stock"].to_numpy(), data["market"].to_numpy()
    market_mean = float(m.mean())
    dm = m - market_mean
    market_ss = float(dm @ dm)
    if market_ss <= 0:
        raise ValueError("market returns do not vary over the estimation window; beta is undefined")
    x = np.column_stack([np.ones(n), m])
    coef, *_ = np.linalg.lstsq(x, r, rcond=None)
    residuals = r - x @ coef
    return MarketModel(alpha=float(coef[0]), beta=float(coef[1]), sigma2=float(residuals @ residuals / (n - 2)),
                       n=n, market_mean=market_mean, market_ss=market_ss, xtx_inv=np.linalg.inv(x.T @ x),
                       start=data.index[0], end=data.index[-1])


def abnormal_returns(model: MarketModel, stock: pd.Series, market: pd.Series) -> pd.Series:
    """AR_t = R_t - alpha - beta * Rm_t on the dates of both series (NaN where either is missing)."""
    data = _paired(stock, market)
    return (data["stock"] - model.alpha - model.beta * data["market"]).rename("ar")


def market_adjusted(stock: pd.Series, market: pd.Series) -> pd.Series:
    """Market-adjusted abnormal return AR_t = R_t - Rm_t (alpha 0, beta 1, nothing estimated)."""
    data = _paired(stock, market)
    return (data["stock"] - data["market"]).rename("ar")


def ar_covariance(model: MarketModel, market_event: ArrayLike) -> np.ndarray:
    """Covariance of the event-window ARs: V = sigma2 * (I + X* (X'X)^-1 X*'), X* = [1, Rm*].

    Element by element, V_ts = sigma2 * (d_ts + 1/L1 + (Rm*_t - mean Rm)(Rm*_s - mean Rm) / market_ss),
    d_ts being 1 if t = s and 0 otherwise (MacKinlay 1997, eq. 8 and after).
    """
    m = np.asarray(market_event, dtype=float).ravel()
    if np.isnan(m).any():
        raise ValueError("the event window has a missing market return")
    x_event = np.column_stack([np.ones(len(m)), m])
    return model.sigma2 * (np.eye(len(m)) + x_event @ model.xtx_inv @ x_event.T)


@dataclass(frozen=True)
class CarResult:
    """CAR over an event window of ``days`` days, its variance 1'V1, t = car / sqrt(variance),
    and two-sided p-values from N(0, 1) and from Student t with ``df`` = L1 - 2 degrees of freedom."""

    car: float
    variance: float
    t: float
    p_normal: float
    p_t: float
    df: int
    days: int


def car(model: MarketModel, stock_event: pd.Series, market_event: pd.Series) -> CarResult:
    """Cumulative abnormal return over the event window and its test.

    CAR = sum_t AR_t; Var(CAR) = 1'V1 with V from :func:`ar_covariance`; t = CAR / sqrt(Var);
    p_normal = 2 * (1 - Phi(|t|)); p_t = 2 * (1 - F_(L1-2)(|t|)). Every day of the window
    needs both returns (ValueError naming the first day without them).
    """
    data = _paired(stock_event, market_event)
    if data.empty:
        raise ValueError("the event window has no day with both returns")
    gaps = data.index[data.isna().any(axis=1)]
    if len(gaps):
        day = gaps[0]
        label = f"{day:%Y-%m-%d}" if isinstance(day, pd.Timestamp) else str(day)
        raise ValueError(f"no return on {label} in the event window")
    ar = abnormal_returns(model, data["stock"], data["market"])
    total = float(ar.sum())
    variance = float(ar_covariance(model, data["market"]).sum())
    t = total / np.sqrt(variance)
    return CarResult(car=total, variance=variance, t=float(t), p_normal=float(2 * stats.norm.sf(abs(t))),
                     p_t=float(2 * stats.t.sf(abs(t), df=model.df)), df=model.df, days=len(data))


# --------------------------------------------------------------------------- many firms


def event_study(returns_wide: pd.DataFrame, market_ticker: str, event_date: pd.Timestamp | str,
                tickers: list[str] | None = None, estimation: tuple[int, int] = DEFAULT_ESTIMATION,
                windows: Mapping[str, tuple[int, int]] | None = None,
                min_estimation: int = MIN_ESTIMATION) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Market-model CARs of every ticker over every window, and the tickers left out.

    Trading days are the dates with a market return. For each ticker (default: every
    column but the market) the model is fitted on the estimation window's days where the
    ticker also has a return; fewer than ``min_estimation`` such days skips the ticker.
    A window with a day the ticker has no return is skipped for that ticker only.
    Returns (results, skipped): results has one row per ticker and window (columns
    ``RESULT_COLUMNS``, sigma = sqrt(sigma2)), sorted by ticker then window order;
    skipped has columns ticker, reason.
    """
    windows = dict(DEFAULT_WINDOWS if windows is None else windows)
    if min_estimation < 3:
        raise ValueError("min_estimation must be at least 3 (the model has 2 parameters)")
    if market_ticker not in returns_wide.columns:
        raise KeyError(f"market series {market_ticker!r} is not a column of the returns")
    if tickers is None:
        tickers = [t for t in returns_wide.columns if t != market_ticker]
    unknown = [t for t in tickers if t not in returns_wide.columns]
    if unknown:
        raise KeyError(f"no returns for {', '.join(map(str, unknown))}")
    market = returns_wide[market_ticker].astype(float)
    plan = event_windows(market.dropna().index, event_date, estimation=estimation, windows=windows,
                         min_estimation=min_estimation)
    market_est = market.reindex(plan.estimation)
    order = {label: i for i, label in enumerate(windows)}

    rows: list[dict] = []
    skipped: list[dict] = []
    for ticker in sorted(set(tickers), key=str):
        stock = returns_wide[ticker].astype(float)
        stock_est = stock.reindex(plan.estimation)
        n = int((stock_est.notna() & market_est.notna()).sum())
        if n < min_estimation:
            skipped.append({"ticker": ticker, "reason": f"only {n} returns in the estimation window "
                                                        f"({plan.estimation[0]:%Y-%m-%d} to "
                                                        f"{plan.estimation[-1]:%Y-%m-%d}); "
                                                        f"{min_estimation} required"})
            continue
        try:
            model = market_model(stock_est, market_est)
        except ValueError as error:
            skipped.append({"ticker": ticker, "reason": str(error)})
            continue
        for label, dates in plan.windows.items():
            try:
                result = car(model, stock.reindex(dates), market.reindex(dates))
            except ValueError as error:
                skipped.append({"ticker": ticker, "reason": f"window {label}: {error}"})
                continue
            rows.append({"ticker": ticker, "window": label, "days": result.days, "car": result.car,
                         "variance": result.variance, "t": result.t, "p_normal": result.p_normal,
                         "p_t": result.p_t, "alpha": model.alpha, "beta": model.beta, "sigma": model.sigma,
                         "n_estimation": model.n, "estimation_start": model.start,
                         "estimation_end": model.end})
    results = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    if len(results):
        results = results.sort_values(["ticker", "window"], key=lambda c: c.map(order) if c.name == "window" else c,
                                      kind="stable").reset_index(drop=True)
    return results, pd.DataFrame(skipped, columns=SKIPPED_COLUMNS)


def _one_window(results_for_window: pd.DataFrame) -> pd.DataFrame:
    """The rows, checked to hold one window and at least two firms."""
    if "window" in results_for_window.columns and results_for_window["window"].nunique() > 1:
        raise ValueError("the rows mix event windows; select one window first")
    if len(results_for_window) < 2:
        raise ValueError(f"a cross-sectional test needs at least 2 firms, got {len(results_for_window)}")
    return results_for_window


def bmp_test(results_for_window: pd.DataFrame) -> dict[str, float | int]:
    """Boehmer, Musumeci and Poulsen (1991) standardized cross-sectional test.

    SCAR_i = CAR_i / sqrt(variance_i); t = mean(SCAR) * sqrt(N) / std(SCAR, ddof=1);
    p is two-sided from Student t with N - 1 degrees of freedom. Needs N >= 2.
    """
    rows = _one_window(results_for_window)
    scar = (rows["car"] / np.sqrt(rows["variance"])).to_numpy(dtype=float)
    n = len(scar)
    sd = float(scar.std(ddof=1))
    if sd == 0:
        raise ValueError("the standardized CARs do not vary; the BMP statistic is undefined")
    t = float(scar.mean() * np.sqrt(n) / sd)
    return {"n": n, "mean_scar": float(scar.mean()), "std_scar": sd, "t": t, "df": n - 1,
            "p": float(2 * stats.t.sf(abs(t), df=n - 1))}


def mean_car_test(results_for_window: pd.DataFrame, level: float = 0.95) -> dict[str, float | int]:
    """Cross-sectional t test of the mean CAR: t = mean(CAR) * sqrt(N) / std(CAR, ddof=1).

    p is two-sided from Student t with N - 1 df; the confidence interval at ``level`` is
    mean(CAR) -/+ q * std / sqrt(N) with q the (1 + level) / 2 quantile of that t. Needs N >= 2.
    """
    rows = _one_window(results_for_window)
    cars = rows["car"].to_numpy(dtype=float)
    n = len(cars)
    mean, sd = float(cars.mean()), float(cars.std(ddof=1))
    if sd == 0:
        raise ValueError("the CARs do not vary; the t statistic is undefined")
    se = sd / np.sqrt(n)
    q = float(stats.t.ppf((1 + level) / 2, df=n - 1))
    t = mean / se
    return {"n": n, "mean_car": mean, "std_car": sd, "t": float(t), "df": n - 1,
            "p": float(2 * stats.t.sf(abs(t), df=n - 1)), "ci_low": float(mean - q * se),
            "ci_high": float(mean + q * se)}
