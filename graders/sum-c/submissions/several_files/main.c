/* Several C files: every one is compiled into the program, none needs naming. */
#include <stdio.h>
#include "sum.h"

int main(void) {
  int n;
  if (scanf("%d", &n) != 1) return 1;
  printf("%lld\n", sum_of(n));
  return 0;
}
