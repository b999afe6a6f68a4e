"""The ``cocoprep`` console command: runs the Rust binary bundled in the wheel."""

import os
import sys


def binary_path():
    """The bundled ``cocoprep`` executable (``COCOPREP_BINARY`` overrides it)."""
    override = os.environ.get("COCOPREP_BINARY")
    if override:
        return override
    name = "cocoprep.exe" if os.name == "nt" else "cocoprep"
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", name)


def main():
    path = binary_path()
    if not os.path.exists(path):
        sys.stderr.write("error: the cocoprep binary is missing from this installation (`{}`)\n".format(path))
        return 2
    if os.name == "nt":
        import subprocess

        return subprocess.call([path] + sys.argv[1:])
    os.execv(path, [path] + sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
