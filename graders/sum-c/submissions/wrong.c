#include <stdio.h>
/* Overflows on the large test: int instead of long long. */
int main(void) {
  int n, sum = 0, x;
  if (scanf("%d", &n) != 1) return 1;
  for (int i = 0; i < n; i++) { scanf("%d", &x); sum += x; }
  printf("%d\n", sum);
  return 0;
}
