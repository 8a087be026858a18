"""Installs the two packages of the project: ``tf_pipeline`` and ``estimators``.

The shipped CSVs (AirPassengers, Mauna Loa CO2) live in ``data/`` at the top of the
checkout; the build copies them into ``tf_pipeline/data/`` so a non-editable install
carries them too.
"""

import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED_DATA = ["airpassengers.csv", "co2_monthly.csv"]


class BuildPyWithData(build_py):
    """build_py that also places data/*.csv inside the tf_pipeline package."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "tf_pipeline" / "data"
        target.mkdir(parents=True, exist_ok=True)
        for name in SHIPPED_DATA:
            shutil.copy2(ROOT / "data" / name, target / name)


setup(
    name="tf_pipeline",
    version="0.1.0",
    description=(
        "TensorFlow 1 graph pipelines (tf.contrib, rnn_cell, contrib.learn) on TensorFlow 2.21 "
        "and Keras 3, with scikit-learn estimators and migration parity checks."
    ),
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["tf_pipeline", "tf_pipeline.*", "estimators"]),
    cmdclass={"build_py": BuildPyWithData},
    install_requires=[
        "tensorflow==2.21.0",  # brings Keras 3 (3.15.x); no legacy Keras 2 package needed
        "numpy==2.4.6",
        "pandas==3.1.1",
        "scikit-learn==1.9.1",
        "matplotlib==3.11.2",
        "tqdm==4.70.1",
        "statsmodels==0.15.0",
    ],
    extras_require={
        # scikeras is the benchmark's reference (benchmarks/bench_train.py), not a runtime need.
        "test": ["pytest==9.2.0", "ruff==0.17.6", "scikeras==0.13.0"],
        # Scale-out (tf_pipeline.parallel, estimators.many_series, run.py --backend dask).
        "dask": ["dask==2026.8.0", "distributed==2026.8.0"],
    },
)
