"""Hyperparameter spaces (SynapseML's API): HyperparamBuilder, DiscreteHyperParam, RangeHyperParam, GridSpace,
RandomSpace. All are typed specs, so a TuneHyperparameters stage that holds a space saves it as JSON.

Example::

    lr = LogisticRegression()
    space = (HyperparamBuilder()
             .addHyperparam(lr, lr.regParam, RangeHyperParam(0.001, 0.5))
             .addHyperparam(lr, lr.maxIter, DiscreteHyperParam([10, 50]))
             .build())
    TuneHyperparameters(models=[TrainClassifier(model=lr)], paramSpace=RandomSpace(space).space(), ...)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Tuple

import numpy as np
from pyspark.ml.param import Param, Params

from mmlspark_py.core.spec import Spec, require


@dataclass(frozen=True)
class HyperParam(Spec):
    """Family root: a distribution of one hyperparameter's values."""

    def sample(self, rng: np.random.Generator) -> Any:
        raise NotImplementedError

    def values(self) -> List[Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class DiscreteHyperParam(HyperParam):
    """One of the given ``values`` (uniformly, in a RandomSpace; each, in a GridSpace).

    ``seed`` is accepted as SynapseML's; the sampling is seeded by TuneHyperparameters' ``seed``.
    """

    kind = "discrete"
    values_: Tuple[Any, ...] = ()
    seed: int = 0

    def __init__(self, values: Iterable[Any] = (), seed: int = 0, **kwargs: Any) -> None:
        object.__setattr__(self, "values_", tuple(kwargs.get("values_", values)))
        object.__setattr__(self, "seed", int(seed))
        require(len(self.values_) > 0, "DiscreteHyperParam needs at least one value")

    def sample(self, rng: np.random.Generator) -> Any:
        return self.values_[int(rng.integers(len(self.values_)))]

    def values(self) -> List[Any]:
        return list(self.values_)


@dataclass(frozen=True)
class RangeHyperParam(HyperParam):
    """A value in [min, max): an integer when both bounds are integers, else a float (uniform).

    ``seed`` is accepted as SynapseML's; the sampling is seeded by TuneHyperparameters' ``seed``.
    """

    kind = "range"
    min: float = 0.0
    max: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        require(self.min < self.max, "RangeHyperParam needs min < max", (self.min, self.max))

    def _integral(self) -> bool:
        return isinstance(self.min, int) and isinstance(self.max, int)

    def sample(self, rng: np.random.Generator) -> Any:
        if self._integral():
            return int(rng.integers(int(self.min), int(self.max)))
        return float(self.min + rng.random() * (self.max - self.min))

    def values(self) -> List[Any]:
        raise ValueError(
            "a RangeHyperParam cannot be enumerated in a GridSpace; use DiscreteHyperParam, or a RandomSpace"
        )


@dataclass(frozen=True)
class HyperparamEntry(Spec):
    """One searched hyperparameter: the uid of the stage that owns it, the param's name and its distribution."""

    kind = "entry"
    stage: str = ""
    param: str = ""
    dist: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dist", HyperParam.from_json(self.dist))


class HyperparamBuilder:
    """Collects (stage, param, distribution) triples; ``build()`` gives the list a space is made of."""

    def __init__(self) -> None:
        self._entries: List[HyperparamEntry] = []

    def addHyperparam(self, stage: Params, param: Param, dist: HyperParam) -> HyperparamBuilder:
        if not stage.hasParam(param.name):
            raise ValueError(f"{type(stage).__name__} has no param {param.name!r}")
        self._entries.append(HyperparamEntry(stage=stage.uid, param=param.name, dist=dist))
        return self

    def build(self) -> List[HyperparamEntry]:
        return list(self._entries)


@dataclass(frozen=True)
class ParamSpace(Spec):
    """Family root: a search space over hyperparameter entries."""

    entries: Tuple[HyperparamEntry, ...] = ()

    def __init__(self, entries: Iterable[Any] = (), **kwargs: Any) -> None:
        object.__setattr__(self, "entries", tuple(HyperparamEntry.from_json(e) for e in entries))

    def space(self) -> ParamSpace:
        """This space (SynapseML's ``RandomSpace(...).space()`` idiom)."""
        return self

    def candidates(self, stage_uids: List[List[str]], num_runs: int, seed: int) -> List[Tuple[int, Dict]]:
        """(model index, {(stage uid, param name): value}) settings to try; ``stage_uids[i]``: model i's stages."""
        raise NotImplementedError

    def _for_model(self, uids: List[str]) -> List[HyperparamEntry]:
        return [e for e in self.entries if e.stage in uids]


@dataclass(frozen=True, init=False)
class GridSpace(ParamSpace):
    """Every combination of the entries' values, for each model (``numRuns`` is not used)."""

    kind = "grid"

    def candidates(self, stage_uids: List[List[str]], num_runs: int, seed: int) -> List[Tuple[int, Dict]]:
        out = []
        for i, uids in enumerate(stage_uids):
            entries = self._for_model(uids)
            for combo in itertools.product(*[e.dist.values() for e in entries]):
                out.append((i, {(e.stage, e.param): v for e, v in zip(entries, combo)}))
        return out


@dataclass(frozen=True, init=False)
class RandomSpace(ParamSpace):
    """``numRuns`` random settings, the models taken in turn; sampled with numpy's Generator(seed)."""

    kind = "random"

    def candidates(self, stage_uids: List[List[str]], num_runs: int, seed: int) -> List[Tuple[int, Dict]]:
        rng = np.random.default_rng(seed)
        out = []
        for run in range(num_runs):
            i = run % len(stage_uids)
            out.append((i, {(e.stage, e.param): e.dist.sample(rng) for e in self._for_model(stage_uids[i])}))
        return out
