#!/usr/bin/env python3
"""Runs a command on a terminal of its own (a pty), as the README's reader does, and answers
each password prompt of segl-sign with the first line of PASSWORD_FILE: the README's examples
sign with `-k my.p12` and nothing else, which asks on the terminal.
Usage: readme_terminal.py PASSWORD_FILE COMMAND [ARG...]. What the terminal shows goes to
standard output (CR LF as LF); the exit status is the command's."""
import os
import pty
import sys

PROMPT = b"Password for the signing key:"


def main():
    with open(sys.argv[1], "rb") as f:
        password = f.readline().rstrip(b"\r\n")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the command and everything it started closed the terminal
            break
        if not chunk:
            break
        sys.stdout.buffer.write(chunk.replace(b"\r\n", b"\n"))
        seen = (seen + chunk)[-len(PROMPT) * 2:]
        # The prompt is printed after echo is turned off (cmd/common/password.c), so an answer
        # written once it is seen is not flushed away.
        if seen.endswith(PROMPT) or seen.endswith(PROMPT + b" "):
            os.write(fd, password + b"\n")
            seen = b""
    sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode")
             else (status >> 8))


main()
