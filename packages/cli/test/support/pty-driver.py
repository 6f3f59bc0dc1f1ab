"""Runs a command in a pseudo-terminal of a given size, as a person's terminal would.

usage: pty-driver.py COLUMNS ROWS COMMAND [ARG...]
Bytes on this process's stdin are typed into the terminal (b"\\x03" is Ctrl-C, which the
terminal's line discipline turns into SIGINT for the foreground process group); everything the
command writes to the terminal comes out on stdout. Exits with the command's exit code, or
128 + the signal that killed it.
"""

import fcntl
import os
import pty
import select
import struct
import sys
import termios

columns, rows, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]

pid, master = pty.fork()
if pid == 0:
    # The child's stdin is the terminal: size it before the command can ask for its width.
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    os.execvp(command[0], command)

inputs = [master, sys.stdin.fileno()]
while True:
    readable, _, _ = select.select(inputs, [], [])
    if master in readable:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the command and everything it started closed the terminal
            data = b""
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    if sys.stdin.fileno() in readable:
        typed = os.read(sys.stdin.fileno(), 1024)
        if typed:
            os.write(master, typed)
        else:
            inputs.remove(sys.stdin.fileno())

_, status = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
