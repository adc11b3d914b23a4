"""The service's processes as /proc shows them: who they are, their CPU time and memory."""

import os


def processes() -> list[tuple[int, int, str, int]]:
    """(pid, parent pid, arguments after the program, user and system ticks) of each process."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                args = cmdline.read().split(b"\0")[1:]
        except OSError:
            continue  # ended meanwhile
        command = " ".join(a.decode(errors="replace") for a in args if a)
        found.append((int(entry), int(fields[1]), command, int(fields[11]) + int(fields[12])))
    return found


def child_of(parent: int, ends: str) -> int | None:
    """The pid of `parent`'s child whose arguments end so (" worker", " api")."""
    found = processes()
    return next((p for p, pp, command, _ in found if pp == parent and command.endswith(ends)), None)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (the peak resident so far) of a process, in KiB."""
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0])
    return found
