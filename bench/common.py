"""Helpers shared by the benchmark scripts: a venv with the reference tools, timing
child processes (wall time and peak RSS), medians and markdown tables."""
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
VENV = REPO / "bench" / ".venv"


def bench_python():
    """The Python of bench/.venv, created with bench/requirements.txt on first use."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements-installed"
    requirements = REPO / "bench" / "requirements.txt"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(requirements)], check=True)
        stamp.write_text(requirements.read_text())
    return str(python)


def cargo_build(*args):
    subprocess.run(["cargo", "build", "--release", "--quiet", *args], cwd=REPO, check=True)
    return REPO / "target" / "release"


def peak_rss_mib(command):
    """Runs a command under GNU time and returns (wall seconds, peak RSS MiB, stdout, stderr)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    lines = result.stderr.strip().splitlines()
    return elapsed, int(lines[-1]) / 1024, result.stdout, "\n".join(lines[:-1])


def peak_rss_mib_env(command, env):
    """[`peak_rss_mib`] with an environment for the command."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    lines = result.stderr.strip().splitlines()
    return elapsed, int(lines[-1]) / 1024, result.stdout, "\n".join(lines[:-1])


def median(values):
    return statistics.median(values)


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.system()} {platform.release()}"


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
