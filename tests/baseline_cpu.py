"""Print the environment that limits numpy (and OpenBLAS) to the baseline CPU of this machine.

``NPY_DISABLE_CPU_FEATURES`` lists every SIMD feature above numpy's build baseline that numpy
found on this CPU (disabling one it did not find is an error), and ``OPENBLAS_CORETYPE=Nehalem``
selects OpenBLAS's SSE4.2 kernels, the level of the x86-64-v2 baseline. ``make nbval`` runs the
notebooks (``python tests/baseline_cpu.py CMD ...`` runs CMD so limited) once with and once without these, so committed outputs cannot depend on the CPU.
"""
from __future__ import annotations

import os
import platform
import sys


def baseline_env() -> dict[str, str]:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    above = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    env = {"NPY_DISABLE_CPU_FEATURES": " ".join(above)}
    if platform.machine() in {"x86_64", "AMD64"}:
        env["OPENBLAS_CORETYPE"] = "Nehalem"
    return env


if __name__ == "__main__":
    # `python tests/baseline_cpu.py CMD ...` runs CMD at the baseline; with no command, prints the settings
    if len(sys.argv) > 1:
        env = {**os.environ, **baseline_env()}
        os.execvpe(sys.argv[1], sys.argv[1:], env)
    print(" ".join(f"{key}='{value}'" for key, value in baseline_env().items()))
