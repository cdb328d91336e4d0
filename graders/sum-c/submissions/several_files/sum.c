#include <stdio.h>
#include "sum.h"

long long sum_of(int n) {
  long long sum = 0, x;
  for (int i = 0; i < n; i++) if (scanf("%lld", &x) == 1) sum += x;
  return sum;
}
