# Ctrl-C at cohours' passphrase prompt on a pseudo-terminal: does the
# terminal get its echo back? Prints prompt/off/signalled/on as 0 or 1.
#   ctrl_c_at_prompt.py COHOURS DATA_DIR   (passphrase_test.sh runs it)
import fcntl, os, select, sys, termios, time
cohours, data = sys.argv[1], sys.argv[2]
master, slave = os.openpty()
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.execv(cohours, [cohours, "--data", data, "balance"])
seen = b""
deadline = time.time() + 20
while b"Passphrase" not in seen and time.time() < deadline:
    ready, _, _ = select.select([master], [], [], 1)
    if ready:
        seen += os.read(master, 1024)
off = not (termios.tcgetattr(slave)[3] & termios.ECHO)
os.write(master, b"\x03")
_, status = os.waitpid(pid, 0)
on = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
print(int(b"Passphrase" in seen), int(off), int(os.WIFSIGNALED(status)), int(on))
