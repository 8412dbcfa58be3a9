#include "cohours/app/passphrase.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <csignal>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

// Drops one trailing "\n" or "\r\n": `echo phrase > file` and editors add one.
void drop_newline(GuardedBytes& bytes) {
  std::size_t n = bytes.size();
  if (n > 0 && bytes.data()[n - 1] == '\n') --n;
  if (n > 0 && n < bytes.size() && bytes.data()[n - 1] == '\r') --n;
  bytes.resize(n);
}

// Reads up to bytes.capacity() bytes of `fd` into `bytes` (up to a newline
// when `line`); false on a read error.
bool read_into(int fd, GuardedBytes& bytes, bool line) {
  bytes.resize(bytes.capacity());
  std::size_t done = 0;
  while (done < bytes.capacity()) {
    const std::size_t want = line ? 1 : bytes.capacity() - done;
    const ssize_t n = ::read(fd, bytes.data() + done, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      bytes.resize(0);
      return false;
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
    if (line && bytes.data()[done - 1] == '\n') break;
  }
  bytes.resize(done);
  return true;
}

// The passphrase, less one newline, if it is neither empty nor too long.
Result<GuardedBytes> checked(GuardedBytes bytes, const std::string& name) {
  drop_newline(bytes);
  if (bytes.size() > kMaxPassphraseBytes)
    return Result<GuardedBytes>(Code::malformed, name + " is over " + std::to_string(kMaxPassphraseBytes) +
                                                     " bytes; is it the right file?");
  if (bytes.size() == 0) return Result<GuardedBytes>(Code::malformed, name + " is empty");
  return bytes;
}

}  // namespace

Result<GuardedBytes> read_passphrase_file(const fs::path& path) {
  if (path == "-") {
    // Standard input, already open: a pipe from a root-only file reaches a
    // command run as the daemon's user, where reopening /dev/stdin would not.
    GuardedBytes bytes(kMaxPassphraseBytes + 2);
    if (!read_into(STDIN_FILENO, bytes, false))
      return Result<GuardedBytes>(Code::io_error, "cannot read the passphrase from standard input");
    return checked(std::move(bytes), "the passphrase on standard input");
  }
  const std::string name = "the passphrase file " + path.string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Result<GuardedBytes>(Code::not_found, "cannot read " + name + ": " + std::strerror(errno));
  // A named pipe is let in too (a process substitution, `<(...)`).
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
    return Result<GuardedBytes>(Code::malformed, name + " is not a regular file or a pipe");
  // A passphrase others can read protects nothing. systemd's credentials
  // are 0400 or 0440 (group: the service's), so group access is allowed.
  if ((st.st_mode & S_IRWXO) != 0)
    return Result<GuardedBytes>(Code::not_permitted,
                                name + " can be read or changed by every user; `chmod 600` it (or hand it to "
                                       "the daemon with systemd's LoadCredential)");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Result<GuardedBytes>(Code::not_found, "cannot read " + name + ": " + std::strerror(errno));
  GuardedBytes bytes(kMaxPassphraseBytes + 2);  // room to see an over-long file and its newline
  const bool read = read_into(fd, bytes, false);
  ::close(fd);
  if (!read) return Result<GuardedBytes>(Code::io_error, "cannot read " + name);
  return checked(std::move(bytes), name);
}

namespace {

// The terminal's settings while echo is off for a prompt: a signal that ends
// the process there (Ctrl-C, a hangup, a kill) must not leave the person's
// terminal without echo. The handler restores them and dies of the signal.
termios g_echo_settings{};
volatile std::sig_atomic_t g_echo_off = 0;
constexpr int kPromptSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void restore_echo_and_die(int signal_number) {
  if (g_echo_off) (void)::tcsetattr(STDIN_FILENO, TCSANOW, &g_echo_settings);  // async-signal-safe
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

// Echo off for one prompt, with the handlers above in place; the settings
// and the handlers before it come back when it ends.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &g_echo_settings) != 0) return;
    struct sigaction handler {};
    handler.sa_handler = restore_echo_and_die;
    ::sigemptyset(&handler.sa_mask);
    for (std::size_t i = 0; i < std::size(kPromptSignals); ++i)
      ::sigaction(kPromptSignals[i], &handler, &previous_[i]);
    termios silent = g_echo_settings;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    silent.c_lflag |= ECHONL;  // the newline the person types is still shown
    g_echo_off = 1;
    // Echo goes off before the prompt shows, so nothing typed after it
    // appears; what was typed before it is dropped (TCSAFLUSH), as getpass does.
    (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    active_ = true;
  }
  ~EchoOff() {
    if (!active_) return;
    (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_echo_settings);
    g_echo_off = 0;
    for (std::size_t i = 0; i < std::size(kPromptSignals); ++i) ::sigaction(kPromptSignals[i], &previous_[i], nullptr);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  bool active_ = false;
  struct sigaction previous_[std::size(kPromptSignals)] {};
};

}  // namespace

AskPassphrase terminal_asker() {
  if (::isatty(STDIN_FILENO) == 0) return {};
  return [](const std::string& prompt) -> std::optional<GuardedBytes> {
    GuardedBytes line(kMaxPassphraseBytes + 2);
    bool read = false;
    {
      EchoOff quiet;
      std::cerr << prompt << std::flush;
      read = read_into(STDIN_FILENO, line, true);
    }
    const bool ended = line.size() == 0;  // end of input before any byte
    drop_newline(line);
    if (!read || ended) return std::nullopt;
    return line;
  };
}

Status check_new_passphrase(const GuardedBytes& passphrase) {
  if (passphrase.size() < kMinNewPassphraseBytes)
    return Status(Code::malformed, "a passphrase needs at least " + std::to_string(kMinNewPassphraseBytes) +
                                       " characters (a few unrelated words make a good one)");
  if (passphrase.size() > kMaxPassphraseBytes)
    return Status(Code::malformed,
                  "a passphrase is at most " + std::to_string(kMaxPassphraseBytes) + " characters");
  return Status();
}

}  // namespace cohours::app
