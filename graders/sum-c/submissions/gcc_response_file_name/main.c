/* The attack: gcc reads a command-line word "@FILE" as more options from FILE. Compiled as
 * "gcc ... main.c @opts.c opts.c", the name "@opts.c" makes gcc read opts.c as options, which
 * say "-wrapper /bin/sh,./payload.sh": the submission's script would run in the build in place
 * of the compiler (and could write any ./main). Passing "./@opts.c" is not enough: gcc hands
 * cc1 "-dumpbase @opts.c", which cc1 expands again. So a source file may not be named so: the
 * submission is a compile error that says which name and why. */
#include <stdio.h>

int main(void) {
  int n;
  long long sum = 0, x;
  if (scanf("%d", &n) != 1) return 1;
  for (int i = 0; i < n; i++) { scanf("%lld", &x); sum += x; }
  printf("%lld\n", sum);
  return 0;
}
