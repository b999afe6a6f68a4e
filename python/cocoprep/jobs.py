"""The ``cocoprep`` commands as Python functions.

Each function runs the bundled ``cocoprep`` binary (the same program as the command line,
so the same speed, resumability and output files) with positional inputs and keyword
arguments named like the command's flags: ``convert_yolo("instances.json", output="out",
segments=True)`` runs ``cocoprep convert yolo instances.json --output out --segments``.
``True`` adds a flag, ``False``/``None`` leaves it out, a list or tuple repeats it (one
value each), anything else is passed as text.

Commands that print data are run with ``--json`` where they have it and return the parsed
JSON; the others return ``None``. Progress lines (the command's stderr) go to
``progress`` (a callable taking one line) when given, else to ``sys.stderr``. A failure raises
:class:`CommandError` carrying the command's error message and exit status; a check that
ran but found problems (``validate``, ``verify``) raises :class:`ProblemsFound`.
"""

import json
import os
import subprocess
import sys
import threading

from ._cli import binary_path


class CocoprepError(Exception):
    """Base class of the errors cocoprep's Python functions raise."""


class CommandError(CocoprepError):
    """A ``cocoprep`` command failed; ``message`` is its error text (the whole chain of
    causes, as the command prints it), ``returncode`` its exit status, ``args`` the
    command line."""

    def __init__(self, message, returncode, command):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.command = command


class ProblemsFound(CommandError):
    """A check ran to the end and reported problems (exit status 1); ``output`` holds what
    it printed (parsed JSON where the command has ``--json``)."""

    def __init__(self, message, returncode, command, output):
        super().__init__(message, returncode, command)
        self.output = output


def _flag_arguments(options):
    arguments = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            arguments.append(flag)
        elif isinstance(value, (list, tuple)):
            for item in value:
                arguments += [flag, os.fspath(item) if isinstance(item, os.PathLike) else str(item)]
        else:
            arguments += [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]
    return arguments


def run(*arguments, progress=None, parse_json=False):
    """Runs ``cocoprep ARGUMENTS...``; returns its stdout (parsed if ``parse_json``)."""
    command = [binary_path()] + [os.fspath(argument) if isinstance(argument, os.PathLike) else str(argument) for argument in arguments]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
    errors = []

    def forward():
        for line in process.stderr:
            if line.startswith("error: ") or errors:
                errors.append(line)
            if progress is not None:
                progress(line.rstrip("\n"))
            else:
                sys.stderr.write(line)

    reader = threading.Thread(target=forward, daemon=True)
    reader.start()
    stdout = process.stdout.read()
    process.wait()
    reader.join()
    output = stdout
    if parse_json and stdout.strip():
        output = json.loads(stdout)
    if process.returncode == 0:
        return output
    message = "".join(errors).strip()
    if message.startswith("error: "):
        message = message[len("error: "):]
    if process.returncode == 1:
        raise ProblemsFound(message or "problems found", 1, command, output)
    raise CommandError(message or "cocoprep exited with status {}".format(process.returncode), process.returncode, command)


def _command(words, inputs, options, json_flag=False, progress=None):
    arguments = list(words) + list(inputs) + _flag_arguments(options)
    if json_flag:
        arguments.append("--json")
    return run(*arguments, progress=progress, parse_json=json_flag)


def convert_yolo(*annotation_files, progress=None, **flags):
    """``cocoprep convert yolo ANN.json... --output DIR [--segments|--keypoints] ...``;
    returns the summary (``--json``)."""
    return _command(["convert", "yolo"], annotation_files, flags, json_flag=True, progress=progress)


def captions_labels(dataset_json, progress=None, **flags):
    """``cocoprep captions labels DATASET.json --output-json ... --output-h5 ...``"""
    return _command(["captions", "labels"], [dataset_json], flags, progress=progress)


def captions_ngrams(dataset_json, progress=None, **flags):
    """``cocoprep captions ngrams DATASET.json --dict-json ... --output-pkl ...``"""
    return _command(["captions", "ngrams"], [dataset_json], flags, progress=progress)


def captions_reference(dataset_json, progress=None, **flags):
    """``cocoprep captions reference DATASET.json --output REFERENCE.json``"""
    return _command(["captions", "reference"], [dataset_json], flags, progress=progress)


def captions_splits(dataset_json, progress=None, **flags):
    """``cocoprep captions splits DATASET.json --output DIR``"""
    return _command(["captions", "splits"], [dataset_json], flags, progress=progress)


def features_butd(*inputs, progress=None, **flags):
    """``cocoprep features butd TSV|DIR|ZIP... --output-dir PREFIX ...``"""
    return _command(["features", "butd"], inputs, flags, progress=progress)


def masks_rle(annotation_file, progress=None, **flags):
    """``cocoprep masks rle IN.json --output OUT.json ...``"""
    return _command(["masks", "rle"], [annotation_file], flags, progress=progress)


def masks_semantic(annotation_file, progress=None, **flags):
    """``cocoprep masks semantic ANN.json --output DIR ...``"""
    return _command(["masks", "semantic"], [annotation_file], flags, progress=progress)


def subset(annotation_file, progress=None, **flags):
    """``cocoprep subset ANN.json --classes a,b --output DIR ...``"""
    return _command(["subset"], [annotation_file], flags, progress=progress)


def get(*names, progress=None, **flags):
    """``cocoprep get BUNDLE|RESOURCE... --dir DIR ...``"""
    return _command(["get"], names, flags, progress=progress)


def download(*urls, progress=None, **flags):
    """``cocoprep download URL... --output DIR [--sha256 HEX] ...``"""
    return _command(["download"], urls, flags, progress=progress)


def verify(directory, progress=None, **flags):
    """``cocoprep verify DIR``"""
    return _command(["verify"], [directory], flags, progress=progress)


def inspect(annotation_file, progress=None, **flags):
    """``cocoprep inspect ANN.json --json``: the file's summary as a dict."""
    return _command(["inspect"], [annotation_file], flags, json_flag=True, progress=progress)


def validate(annotation_file, progress=None, **flags):
    """``cocoprep validate ANN.json --json``: the report; raises :class:`ProblemsFound`
    (with the report as ``output``) when the file has problems."""
    return _command(["validate"], [annotation_file], flags, json_flag=True, progress=progress)
