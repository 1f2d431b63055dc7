"""Token usage and estimated cost of the language model, per model, for one session.

Token counts come from ``AIMessage.usage_metadata`` (the API's own usage report, streamed
answers included when ``stream_usage`` is on); they are exact. The cost is an ESTIMATE from
the approximate public prices in ``agent/data/prices/<provider>.yaml`` (one dated file per
provider, with its source), which a user can override model by model with
``$STORYCORE_CONFIG_DIR/llm_prices.yaml``. A model without a price has an unknown cost
(``None``, shown as "unknown", never $0.00) while its tokens are still counted.

Feed a tracker either explicitly (``tracker.add(message)``, or ``usage=tracker`` in
:func:`storycore.agent.llm.structured_call`) or graph-wide with
``config={"callbacks": [tracker.callback()]}``. A message is counted once even if both paths
see it (messages are recognised by their response id).

The graph keeps ``tracker.to_dict()`` per session (small, JSON-safe);
:func:`merge_usage` is a reducer for an ``Annotated`` state field.
"""

from __future__ import annotations

import functools
import os
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from storycore.tools.errors import InvalidInput

PRICES_FILE_NAME = "llm_prices.yaml"
PRICES_FOLDER = "prices"
DEFAULT_PROVIDER = "openai"
UNKNOWN_MODEL = "unknown"
UNKNOWN_COST = "unknown"
# A dated snapshot ("gpt-4.1-mini-2025-04-14", "gpt-4-0613", "claude-sonnet-4-20250514")
# is priced as its family.
_SNAPSHOT_SUFFIX = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$")


@dataclass(frozen=True)
class ModelPrice:
    """Price of one model in US dollars per 1 million tokens."""

    input: float
    output: float
    cached_input: float | None = None

    def cost_usd(self, input_tokens: int, output_tokens: int, cached_input_tokens: int) -> float:
        """Estimated cost of these tokens; cached prompt tokens at the cached rate."""
        cached = min(cached_input_tokens, input_tokens)
        cached_rate = self.input if self.cached_input is None else self.cached_input
        total = (
            (input_tokens - cached) * self.input
            + cached * cached_rate
            + output_tokens * self.output
        )
        return total / 1_000_000


@dataclass(frozen=True)
class PriceTable:
    """Prices by model id, with where they come from and when."""

    models: Mapping[str, ModelPrice]
    source: str = ""
    as_of: str = ""
    # provider -> (source, as_of) of each shipped file; "user" for the user's own file.
    sources: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, user_file: Path | None = None) -> PriceTable:
        """The shipped prices, overridden model by model by the user's file if it exists."""
        table = _shipped_prices()
        path = default_user_file() if user_file is None else user_file
        if path.is_file():
            stat = path.stat()
            override = _user_prices(str(path), stat.st_mtime_ns, stat.st_size)
            table = PriceTable(
                models={**table.models, **override.models},
                source=override.source or table.source,
                as_of=override.as_of or table.as_of,
                sources={**table.sources, "user": (str(path), override.as_of)},
            )
        return table

    @classmethod
    def from_yaml(cls, text: str, *, origin: str = "the price file") -> PriceTable:
        """Parse the YAML format of ``llm_prices.yaml``."""
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise InvalidInput(f"{origin} is not valid YAML: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("models", {}), dict):
            raise InvalidInput(f"{origin} must be a mapping with a 'models' mapping.")
        models: dict[str, ModelPrice] = {}
        for name, entry in (data.get("models") or {}).items():
            if not isinstance(entry, dict):
                raise InvalidInput(f"{origin}: model {name!r} must map input/output prices.")
            try:
                cached = entry.get("cached_input")
                price = ModelPrice(
                    input=float(entry["input"]),
                    output=float(entry["output"]),
                    cached_input=None if cached is None else float(cached),
                )
            except (KeyError, TypeError, ValueError):
                raise InvalidInput(
                    f"{origin}: model {name!r} needs numeric 'input' and 'output' prices "
                    "(USD per 1M tokens)."
                ) from None
            if min(price.input, price.output, price.cached_input or 0.0) < 0:
                raise InvalidInput(f"{origin}: model {name!r} has a negative price.")
            models[str(name)] = price
        return cls(
            models=MappingProxyType(models),
            source=str(data.get("source", "")),
            as_of=str(data.get("as_of", "")),
        )

    def price_of(self, model: str) -> ModelPrice | None:
        """The price of ``model`` (``provider:name`` or a bare name), of its family for a
        dated snapshot, else None."""
        candidates = [model]
        head, sep, tail = model.partition(":")
        if sep and head in self.sources:
            candidates.append(tail)
        for name in candidates:
            if name in self.models:
                return self.models[name]
            family = _SNAPSHOT_SUFFIX.sub("", name)
            if family in self.models:
                return self.models[family]
        return None


# Trackers are rebuilt at every graph step (merge_usage): parse each file once.
@functools.cache
def _shipped_prices() -> PriceTable:
    """Every provider's file; ``source``/``as_of`` are those of the default provider."""
    folder = resources.files("storycore.agent").joinpath("data", PRICES_FOLDER)
    models: dict[str, ModelPrice] = {}
    sources: dict[str, tuple[str, str]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        provider = entry.name[: -len(".yaml")]
        table = PriceTable.from_yaml(
            entry.read_text(encoding="utf-8"), origin=f"the shipped prices/{entry.name}"
        )
        models.update(table.models)
        sources[provider] = (table.source, table.as_of)
    source, as_of = sources.get(DEFAULT_PROVIDER, ("", ""))
    return PriceTable(models=MappingProxyType(models), source=source, as_of=as_of, sources=sources)


@functools.lru_cache(maxsize=8)
def _user_prices(path: str, mtime_ns: int, size: int) -> PriceTable:
    # mtime and size are part of the key: an edited file is read again.
    return PriceTable.from_yaml(Path(path).read_text(encoding="utf-8"), origin=path)


def default_user_file() -> Path:
    """Where the user's own llm_prices.yaml lives (it need not exist)."""
    config_dir = os.environ.get("STORYCORE_CONFIG_DIR")
    if config_dir:
        return Path(config_dir).expanduser() / PRICES_FILE_NAME
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "storycore" / PRICES_FILE_NAME


@dataclass
class ModelUsage:
    """Tokens used by one model over a session."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.input_tokens + self.output_tokens


@dataclass
class UsageTracker:
    """Accumulates token usage per model and estimates its cost."""

    prices: PriceTable | None = None
    models: dict[str, ModelUsage] = field(default_factory=dict)
    # Response ids already counted, so explicit and callback feeding never double count.
    _seen: deque[str] = field(default_factory=lambda: deque(maxlen=512), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.prices is None:
            self.prices = PriceTable.load()

    def add(self, message: Any, model: str | None = None) -> bool:
        """Count the usage of one answer (an ``AIMessage`` or chunk); False if it had none.

        ``model`` overrides the model name the answer reports (``response_metadata``).
        """
        usage = getattr(message, "usage_metadata", None)
        if not usage:
            return False
        message_id = getattr(message, "id", None)
        if message_id:
            if message_id in self._seen:
                return False
            self._seen.append(message_id)
        metadata = getattr(message, "response_metadata", None) or {}
        name = model or metadata.get("model_name") or metadata.get("model") or UNKNOWN_MODEL
        self.add_usage(str(name), usage)
        return True

    def add_usage(self, model: str, usage: Mapping[str, Any]) -> None:
        """Count one call's ``usage_metadata`` (input_tokens, output_tokens, details)."""
        entry = self.models.setdefault(model, ModelUsage())
        entry.calls += 1
        entry.input_tokens += int(usage.get("input_tokens") or 0)
        entry.output_tokens += int(usage.get("output_tokens") or 0)
        details = usage.get("input_token_details") or {}
        entry.cached_input_tokens += int(details.get("cache_read") or 0)

    def cost_usd(self, model: str) -> float | None:
        """Estimated cost of one model's tokens, None if its price is unknown."""
        entry = self.models.get(model)
        if entry is None:
            return 0.0
        price = self.prices.price_of(model) if self.prices else None
        if price is None:
            return None
        return price.cost_usd(entry.input_tokens, entry.output_tokens, entry.cached_input_tokens)

    @property
    def input_tokens(self) -> int:
        """Prompt tokens over all models."""
        return sum(m.input_tokens for m in self.models.values())

    @property
    def output_tokens(self) -> int:
        """Completion tokens over all models."""
        return sum(m.output_tokens for m in self.models.values())

    @property
    def total_cost_usd(self) -> float | None:
        """Estimated cost of the models whose price is known; None if none is known."""
        costs = [self.cost_usd(name) for name in self.models]
        known = [c for c in costs if c is not None]
        return sum(known) if known else (0.0 if not costs else None)

    @property
    def cost_complete(self) -> bool:
        """True when every model used has a known price."""
        return all(self.cost_usd(name) is not None for name in self.models)

    def merge(self, other: UsageTracker | Mapping[str, Any]) -> None:
        """Add another tracker's (or a ``to_dict()``'s) counts to this one."""
        source = (
            other
            if isinstance(other, UsageTracker)
            else UsageTracker.from_dict(other, prices=self.prices)
        )
        for name, usage in source.models.items():
            entry = self.models.setdefault(name, ModelUsage())
            entry.calls += usage.calls
            entry.input_tokens += usage.input_tokens
            entry.output_tokens += usage.output_tokens
            entry.cached_input_tokens += usage.cached_input_tokens

    def to_dict(self) -> dict[str, Any]:
        """A small JSON-safe summary: per model counts and cost, and the totals."""
        models: dict[str, Any] = {}
        for name in sorted(self.models):
            entry = self.models[name]
            cost = self.cost_usd(name)
            models[name] = {
                "calls": entry.calls,
                "input_tokens": entry.input_tokens,
                "output_tokens": entry.output_tokens,
                "cached_input_tokens": entry.cached_input_tokens,
                "cost_usd": None if cost is None else round(cost, 6),
            }
        total = self.total_cost_usd
        return {
            "models": models,
            "total": {
                "calls": sum(m.calls for m in self.models.values()),
                "input_tokens": self.input_tokens,
                "output_tokens": self.output_tokens,
                "cost_usd": None if total is None else round(total, 6),
                "cost_complete": self.cost_complete,
            },
            "prices_as_of": self.prices.as_of if self.prices else "",
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], prices: PriceTable | None = None) -> UsageTracker:
        """Rebuild a tracker from :meth:`to_dict` (costs are recomputed from the prices)."""
        tracker = cls(prices=prices)
        for name, entry in (data.get("models") or {}).items():
            tracker.models[str(name)] = ModelUsage(
                calls=int(entry.get("calls", 0)),
                input_tokens=int(entry.get("input_tokens", 0)),
                output_tokens=int(entry.get("output_tokens", 0)),
                cached_input_tokens=int(entry.get("cached_input_tokens", 0)),
            )
        return tracker

    def rows(self) -> list[dict[str, Any]]:
        """One row per model plus a total row, for a table (``/usage`` in the chat)."""
        summary = self.to_dict()
        rows = [{"model": name, **values} for name, values in summary["models"].items()]
        rows.append({"model": "total", **summary["total"]})
        for row in rows:
            row["cost_usd"] = format_cost(row["cost_usd"], row.get("cost_complete", True))
            row.pop("cost_complete", None)
        return rows

    def callback(self) -> Any:
        """A LangChain callback handler feeding this tracker from every chat model call."""
        from langchain_core.callbacks import BaseCallbackHandler

        tracker = self

        class _UsageCallback(BaseCallbackHandler):
            def on_llm_end(self, response: Any, **kwargs: Any) -> None:
                for generations in response.generations:
                    for generation in generations:
                        message = getattr(generation, "message", None)
                        if message is not None:
                            tracker.add(message)

        return _UsageCallback()


def format_cost(cost: float | None, complete: bool = True) -> str:
    """A cost for people: ``$0.0004``, ``unknown`` (no price), or ``$0.0004 + unknown``
    when some models used have no price. Never ``$0.00`` for a cost nobody knows."""
    if cost is None:
        return UNKNOWN_COST
    shown = f"${cost:.4f}" if cost < 1 else f"${cost:,.2f}"
    return shown if complete else f"{shown} + {UNKNOWN_COST}"


def merge_usage(left: Mapping[str, Any] | None, right: Mapping[str, Any] | None) -> dict[str, Any]:
    """Reducer for a graph state field holding ``UsageTracker.to_dict()`` summaries.

    Node updates carry the usage of that node only; the reducer adds them up.
    """
    tracker = UsageTracker.from_dict(left or {})
    if right:
        tracker.merge(right)
    return tracker.to_dict()
