"""Concrete fio job files from the workloads/bench-*.fio templates.

Every ${NAME} in a template is replaced from a dict; a line whose value came
out empty is left out, so that the tool's own default applies (pinwb's
writeback modes, for one). Comment lines are copied as they are. A ${NAME} the dict lacks is an error, never left
for fio to read as text."""

import os
import re

from . import matrix

VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")

FIO_IOMEM = {"file": "mmapshared:{buf}", "shmem": "mmapshared", "anon": "mmap"}


class TemplateError(ValueError):
    pass


def render(text, values, name="<template>"):
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith((";", "#")):
            out.append(line)
            continue
        missing = [v for v in VAR.findall(line) if v not in values]
        if missing:
            raise TemplateError("%s:%d: no value for ${%s}" % (name, n, missing[0]))
        new = VAR.sub(lambda m: str(values[m.group(1)]), line)
        if VAR.search(line) and "=" in new and new.split("=", 1)[1].strip() == "":
            continue
        out.append(new)
    return "\n".join(out) + "\n"


def template_for(axes):
    if axes["engine"] == "pinwb":
        return "bench-pinwb.fio"
    return "bench-fio-sync.fio" if axes["io"] == "sync" else "bench-fio-uring.fio"


def buffer_size(axes):
    return int(axes["iodepth"]) * matrix.size_bytes(axes["bs"])


def values(axes, *, engine_so, directory, size, runtime, buffer_file, report):
    """Template values for one run with the given axes. buffer_file is the
    fresh sparse file of a file buffer (ignored for other kinds)."""
    file_buf = axes["buffer"] == "file"
    v = {
        "PINWB_ENGINE": engine_so,
        "PINWB_DIR": directory,
        "PINWB_SIZE": size,
        "PINWB_RW": axes["rw"],
        "PINWB_BS": axes["bs"],
        "PINWB_IODEPTH": axes["iodepth"],
        "PINWB_RUNTIME": runtime,
        "PINWB_FIXEDBUFS": "1" if axes["io"] == "uring-fixed" else "0",
        "PINWB_IO": "sync" if axes["io"] == "sync" else "uring",
        "PINWB_BUFFER": axes["buffer"],
        "PINWB_BUFFER_SIZE": buffer_size(axes),
        "PINWB_BUFFER_FILE": buffer_file if file_buf else "",
        "PINWB_OVERWRITE": "1" if file_buf else "",
        "PINWB_WB_MODES": {"none": "none", "default": ""}.get(axes["wb"], axes["wb"].replace("+", ",")),
        "PINWB_REPORT": report,
        "PINWB_IOMEM": FIO_IOMEM.get(axes["buffer"], "").format(buf=buffer_file),
    }
    return v


def with_job_suffix(text, suffix):
    """TEXT with SUFFIX appended to the name of its last job section, so
    that the rows of several hosts in one fio --client run stay apart even
    when two servers share an address."""
    lines = text.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        l = lines[i].strip()
        if l.startswith("[") and l.endswith("]") and l != "[global]":
            lines[i] = l[:-1] + suffix + "]"
            break
    return "\n".join(lines) + "\n"


def write(workloads, axes, path, job_suffix="", **kw):
    name = template_for(axes)
    with open(os.path.join(workloads, name), encoding="utf-8") as f:
        text = f.read()
    text = render(text, values(axes, **kw), name)
    if job_suffix:
        text = with_job_suffix(text, job_suffix)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return name
