"""Timing helpers of ``tools/analysis_tools/benchmark.py``.

A sibling package of the script: ``python tools/analysis_tools/benchmark.py``
puts the script's folder first on ``sys.path``, so ``benchmark.py`` imports
it as ``benchmark_utils``. It is not part of the ``mmcoseg`` package.
"""
