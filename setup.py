"""mmlspark-py packaging.

onnxruntime and onnxruntime-gpu install into the same ``onnxruntime/`` folder and overwrite each other, so
neither is a hard dependency: choose the CPU build with the ``cpu`` extra or the CUDA build with ``gpu``
(never both in one environment). ``all`` and ``test`` take the CPU build.
"""

from setuptools import find_packages, setup

CPU = ["onnxruntime>=1.17"]
GPU = ["onnxruntime-gpu>=1.17"]
TF = ["tensorflow-cpu>=2.16"]
REGISTRY = ["mlflow>=2.12"]
TEXT = ["tokenizers>=0.15"]
EXAMPLES = ["scikit-image>=0.22", "scikit-learn>=1.3", "matplotlib>=3.7"]
DATAPREP = ["pyyaml>=6"]
TEST = ["pytest>=7", "pytest-timeout>=2"]

setup(
    name="mmlspark-py",
    version="0.1.0",
    description="Spark-native distributed machine learning in Python, with SynapseML's API and no JVM jars",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.10",
    packages=find_packages(include=["mmlspark_py", "mmlspark_py.*"]),
    include_package_data=True,
    package_data={"mmlspark_py": ["**/*.json", "**/*.yaml"]},
    install_requires=[
        "pyspark>=3.5",
        "numpy>=1.24",
        "pandas>=2.0",
        "pyarrow>=14",
        "opencv-python-headless>=4.8",
        "onnx>=1.15",
    ],
    extras_require={
        "cpu": CPU,
        "gpu": GPU,
        "tf": TF,
        "registry": REGISTRY,
        "text": TEXT,
        "examples": EXAMPLES,
        "dataprep": DATAPREP,
        "all": CPU + TF + REGISTRY + TEXT + EXAMPLES + DATAPREP,
        "test": CPU + TF + REGISTRY + TEXT + EXAMPLES + DATAPREP + TEST,
    },
    entry_points={"console_scripts": ["mmlspark-py = mmlspark_py.jobs.cli:main"]},
)
