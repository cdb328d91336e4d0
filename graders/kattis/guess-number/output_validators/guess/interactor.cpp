// Interactor of "Guess the number" (Kattis format: interactor input answer feedback_dir, the
// submission's output on stdin and its input on stdout; exit 42 accepted, 43 wrong answer).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

static std::string feedback_dir;

[[noreturn]] static void judge(bool accepted, const std::string &message) {
    std::ofstream(feedback_dir + "judgemessage.txt") << message << '\n';
    if (!accepted) std::ofstream(feedback_dir + "teammessage.txt") << message << '\n';
    std::exit(accepted ? 42 : 43);
}

// A submission that stops reading must make writes fail, not kill the interactor (SIGPIPE).
static void tell(const char *answer) {
    if (std::printf("%s\n", answer) < 0 || std::fflush(stdout) != 0) judge(false, "the program stopped reading");
}

// The next guess: a line holding a whole number from 1 to n, nothing else.
static long long read_guess(long long n) {
    char line[64];
    if (!std::fgets(line, sizeof line, stdin)) judge(false, "the program ended (or stopped talking) before it found the number");
    char *end = nullptr;
    long long guess = std::strtoll(line, &end, 10);
    if (end == line || (*end != '\n' && *end != '\0') || guess < 1 || guess > n) {
        judge(false, "expected a guess from 1 to " + std::to_string(n) + " on a line of its own");
    }
    return guess;
}

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    std::signal(SIGPIPE, SIG_IGN);
    feedback_dir = argv[3];
    long long n = 0, x = 0;
    if (!(std::ifstream(argv[1]) >> n >> x)) return 1;
    int allowed = 0;
    for (long long m = n; m > 0; m /= 2) allowed++;
    std::printf("%lld\n", n);
    std::fflush(stdout);
    for (int guesses = 1; guesses <= allowed; guesses++) {
        long long guess = read_guess(n);
        if (guess == x) {
            tell("correct");
            judge(true, "found " + std::to_string(x) + " in " + std::to_string(guesses) + " guesses");
        }
        tell(guess < x ? "higher" : "lower");
    }
    judge(false, "more than " + std::to_string(allowed) + " guesses");
}
